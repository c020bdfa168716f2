"""Every route, as a member of another household: household A holds one of everything, and B's member
calls every path × method of the OpenAPI documents with A's ids, once in A's household and once in their
own. Nothing may succeed, nothing of A may be answered, and A must be as it was afterwards."""

import asyncio

import pytest

from tests.security.findings import Findings
from tests.security.households import Household, bare_household, rich_household
from tests.security.openapi import (
    Operation,
    UnknownParameter,
    every_operation,
    example,
    references_in,
)
from tests.security.probe import Answer, call

pytestmark = pytest.mark.system

# what refusing looks like; 409 is not among them: a conflict with A's object tells that it exists
REFUSED = frozenset({400, 401, 403, 404, 405, 422})
# reads first, then writes, deletes last: a write that wrongly succeeds must not hide what follows
ORDER = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
CONCURRENCY = 4


@pytest.fixture(scope="session")
async def a_and_b(client, admin_db) -> tuple[Household, Household]:
    return await rich_household(client, admin_db), await bare_household(client)


def path_values(op: Operation, ids: dict[str, str]) -> dict[str, str]:
    unknown = [name for name in op.path_params if name not in ids]
    if unknown:
        raise UnknownParameter(
            f"{op.label}: no object for path parameter(s) {', '.join(unknown)}; make one in "
            "tests/security/households.py rich_household and name it in its `ids`"
        )
    return {name: ids[name] for name in op.path_params}


async def test_every_parameter_of_every_route_is_known_to_the_suite(documents, a_and_b):
    a, _ = a_and_b
    unknown = []
    for op in every_operation(documents):
        try:
            path_values(op, a.ids)
            if op.body is not None:
                example(op.body, a.ids)
        except UnknownParameter as exc:
            unknown.append(str(exc))
    assert not unknown, "\n".join(unknown)


async def test_a_member_of_another_household_reaches_nothing_of_it(client, documents, a_and_b):
    a, b = a_and_b
    ops = every_operation(documents)
    before = await snapshot(client, a, ops)
    found = Findings()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def probe(op: Operation, where: str, ids: dict[str, str]) -> None:
        try:
            values = path_values(op, ids)
            body = example(op.body, ids) if op.body is not None else None
        except UnknownParameter:
            return  # named by the test above
        aimed = {n for n in op.path_params if values[n] != b.id} | references_in(body)
        async with gate:
            answer = await call(client, op, op.url(values), b.admin.headers, body=body)
        judge(answer, a, aimed, where, found)

    for stage in sorted(set(ORDER.values())):  # all reads, then all writes, then all deletes
        probes = []
        for op in (op for op in ops if ORDER[op.method] == stage):
            if "household_id" in op.path_params:  # else the same request either way
                probes.append(probe(op, "in A's household", dict(a.ids)))
            probes.append(probe(op, "in B's household", {**a.ids, "household_id": b.id}))
        await asyncio.gather(*probes)
    after = await snapshot(client, a, ops)
    for label in before:
        if after.get(label) != before[label]:
            found.add(
                label, f"A's answer changed while B probed: {before[label]} -> {after.get(label)}"
            )
    assert not found, found.report()


def judge(answer: Answer, a: Household, aimed: set[str], where: str, found: Findings) -> None:
    if answer.status == 0 or answer.status >= 500:
        found.add(
            answer.route, f"{where}: answered {answer.status}: {answer.text[:160]}", answer.label
        )
    elif aimed and answer.status not in REFUSED:
        found.add(
            answer.route,
            f"{where}, naming A's {', '.join(sorted(aimed))}: {answer.status}, not refused: "
            f"{answer.text[:160]}",
            answer.label,
        )
    for fact in a.secrets.found_in(answer.text, sent=answer.sent):
        found.add(answer.route, f"{where}: answered {fact}", answer.label)


async def snapshot(client, a: Household, ops: list[Operation]) -> dict[str, object]:
    """What A's admin reads on every GET route (the dashboard counts days, so it is left out)."""
    reads = []
    for op in ops:
        if op.method != "GET" or op.streams or op.path.endswith("/dashboard"):
            continue
        try:
            url = op.url(path_values(op, a.ids))
        except UnknownParameter:
            continue
        reads.append(call(client, op, url, a.admin.headers, {"limit": 200} if op.paged else None))
    return {answer.label: (answer.status, answer.json) for answer in await asyncio.gather(*reads)}
