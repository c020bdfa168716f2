"""Every read, as the person the surprises are for: every GET route of the OpenAPI documents (the gateway's,
and the notification and audit services' behind it), with every object id and every filter, each paged
answer walked one item at a time, the notifications, the live stream and its replay, the audit log, and
every mail the member was sent (at once, and the digest), and the gift history, where what the household
gave them waits for its reveal. No fact of a surprise may appear anywhere, with the member linked from
the start or only afterwards."""

import asyncio
import itertools
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.mailbox import caught
from tests.security.facts import parse_json, told_about_wishes
from tests.security.findings import Findings
from tests.security.openapi import Operation, UnknownParameter, every_operation
from tests.security.probe import Answer, call, walk_pages
from tests.security.recipients import Surprises, surprises_for_a_member
from tests.sse_client import open_stream
from tests.system.conftest import eventually

pytestmark = pytest.mark.system

# filters that only narrow a window of time: every row they could show, the unfiltered walk shows too
WINDOWS = frozenset({"due_after", "due_before", "until"})
PAGING = frozenset({"cursor", "limit"})
# filters of the audit log that select rows but cannot change which are hidden among them: one call each
# (the log's unfiltered walk, one entry a page, checks its paging)
SINGLE_CALL = frozenset({"subject", "actor_id", "type"})
AUDIT_TYPES = ("claim", "pledge", "list_item", "comment", "budget", "gift", "list", "exchange")
# the texts a search box or a tag filter is tried with
SEARCHED = (
    "idea for P",
    "gift for P",
    "idea list about P",
    "tag only hidden gifts carry",
    "gift given to P",
    "gift given to P and Q",
)
CONCURRENCY = 6


@pytest.fixture(scope="session")
async def plain(client, admin_db) -> Surprises:
    return await surprises_for_a_member(client, admin_db, late_link=False)


@pytest.fixture(scope="session")
async def late(client, admin_db) -> Surprises:
    return await surprises_for_a_member(client, admin_db, late_link=True)


async def test_a_member_learns_nothing_of_the_surprises_for_them(
    stack, client, admin_db, documents, plain: Surprises
):
    found = await read_everything(client, documents, plain)
    await read_mails(stack, client, admin_db, plain, found)
    live = "\n".join(plain.live)
    for finding in search(plain, live):
        found.add("the live stream, while the surprises were made", finding)
    for what, value in plain.controls.items():
        if value not in live:
            found.add(
                "the live stream, while the surprises were made",
                f"control: the {what} {value!r} never arrived, so the search there proves nothing",
            )
    assert not found, found.report()


async def test_a_member_linked_later_learns_nothing_of_the_surprises_made_before(
    stack, client, admin_db, documents, late: Surprises
):
    found = await read_everything(client, documents, late)
    await read_mails(stack, client, admin_db, late, found)
    assert not found, found.report()


async def read_everything(client, documents, s: Surprises) -> Findings:
    headers = s.recipient.headers
    gate = asyncio.Semaphore(CONCURRENCY)
    answers: list[Answer] = []
    found = Findings()

    async def read(op: Operation, values: dict, params: dict) -> None:
        async with gate:
            url = op.url(values)
            if op.paged and not SINGLE_CALL & set(params):
                pages, paging = await walk_pages(client, op, url, headers, params)
                answers.extend(pages)
                for problem in paging:
                    found.add(op.label, "the paging tells that something is hidden", problem)
                answers.append(await call(client, op, url, headers, {**params, "limit": 200}))
            else:
                answers.append(
                    await call(
                        client, op, url, headers, {**params, "limit": 200} if op.paged else params
                    )
                )

    position = await stream_position(client, s)
    reads = []
    for op in every_operation(documents):
        if op.method != "GET":
            continue
        missing = [name for name in op.path_params if name not in s.objects]
        if missing:
            found.add(
                op.label,
                f"no objects for path parameter(s) {', '.join(missing)}: add them to "
                "tests/security/recipients.py `objects`",
            )
            continue
        variants = [{}]
        for name, schema in op.query.items():
            try:
                variants += [{name: value} for value in query_values(name, schema, s, position)]
            except UnknownParameter as exc:
                found.add(op.label, str(exc))
        # a filter the route cannot do without is given in every call (its first value to try),
        # so each of the others is tried with it
        needed = {}
        for name in sorted(op.required):
            tried = [v for v in variants if name in v]
            if tried:
                needed[name] = tried[0][name]
        variants = [{**needed, **v} for v in variants]
        for combo in itertools.product(*(s.objects[name] for name in op.path_params)):
            values = dict(zip(op.path_params, combo, strict=True))
            reads += [read(op, values, params) for params in variants]
    await asyncio.gather(*reads)

    for answer in answers:
        if answer.status == 0 or answer.status >= 500:
            found.add(answer.route, f"answered {answer.status}: {answer.text[:120]}", answer.label)
        for finding in search(s, answer.text):
            found.add(answer.route, finding, answer.label)
    check_controls(s, answers, found)
    await check_unread_count(client, s, found)
    return found


def query_values(name: str, schema: dict, s: Surprises, position: int) -> list:
    """The values of a filter worth trying: every object it can name, every choice it offers."""
    options = [o for o in (schema.get("anyOf") or [schema]) if o.get("type") != "null"]
    kind = options[0] if options else {}
    if name in PAGING or name in WINDOWS:
        return []
    if name in ("person_id", "occasion_id"):
        return s.objects[name]
    if name == "giver_person_id":
        return s.objects["person_id"]
    if name == "year":  # the history's years: this one and the last (an occasion days ago)
        this_year = datetime.now(ZoneInfo("UTC")).year
        return [this_year, this_year - 1]
    if name == "list_item_id":
        return s.objects["item_id"]
    if name == "actor_id":
        return s.objects["user_id"]
    if name == "subject":
        return [f.value for f in s.facts.items if f.is_id]
    if name == "type":
        return list(AUDIT_TYPES)
    if name in ("q", "tag", "title"):
        return sorted({f.value for f in s.facts.items if f.what in SEARCHED})
    if name == "since" and kind.get("type") == "integer":
        # the stream's replay from every position it has had: a replay that cannot be whole answers
        # `resync` instead, so one from the start alone may show nothing
        return list(range(position + 1))
    if name == "since":
        return []  # a window of time, as above
    if "enum" in kind:
        return kind["enum"]
    if kind.get("type") == "boolean":
        return [True]
    if name == "days":
        return [kind.get("maximum", 366)]
    raise UnknownParameter(
        f"query parameter {name!r} has no values to try: add it to test_recipient.query_values"
    )


async def stream_position(client, s: Surprises) -> int:
    """Where R's stream is now: the `id` of the `ready` message a fresh stream starts with."""
    url = f"/api/households/{s.household_id}/notifications/stream"
    async with open_stream(client, url, bearer=s.recipient.access_token) as stream:
        return int((await stream.next("ready")).id)


def search(s: Surprises, text: str) -> list[str]:
    found = [f"tells {fact}" for fact in s.facts.found_in(text)]
    documents = [parse_json(text)]
    if documents[0] is None:  # a stream: one JSON document per `data:` line
        documents = [
            parse_json(line[5:].strip()) for line in text.splitlines() if line.startswith("data:")
        ]
    for document in documents:
        found += [f"tells {w}" for w in told_about_wishes(document, s.wish_ids)]
    return found


def check_controls(s: Surprises, answers: list[Answer], found: Findings) -> None:
    """What R may see must arrive where the search looked (REST, notifications, the stream's replay, the
    audit log): a search that saw nothing there proves nothing."""
    for what, value in s.controls.items():
        for where in ("/gifts", "/notifications", "/notifications/stream", "/audit"):
            if not any(a.route.endswith(where) and value in a.text for a in answers):
                found.add(
                    f"GET …{where}",
                    f"control: the {what} {value!r} is in no answer, so the search there "
                    "proves nothing",
                )
    for what, value in s.history_controls.items():
        if not any(a.route.endswith("/history") and value in a.text for a in answers):
            found.add(
                "GET …/history",
                f"control: the {what} {value!r} is in no answer of the history, so the search "
                "there proves nothing",
            )
    for what, value in s.feed_controls.items():
        if not any(a.route.endswith(".ics") and value in a.text for a in answers):
            found.add(
                "GET …/calendar/{token}.ics",
                f"control: the {what} {value!r} is not in R's calendar feed, so the search there "
                "proves nothing",
            )


async def check_unread_count(client, s: Surprises, found: Findings) -> None:
    """A count is a fact too: the unread badge counts only the notifications R may list."""
    base = f"/api/households/{s.household_id}/notifications"
    counted = (await client.get(f"{base}/unread-count", headers=s.recipient.headers)).json()[
        "unread"
    ]
    listed = (
        await client.get(
            base, params={"unread_only": True, "limit": 200}, headers=s.recipient.headers
        )
    ).json()
    if counted != len(listed["items"]):
        found.add(
            f"GET {base}/unread-count",
            f"counts {counted} unread, but {len(listed['items'])} are listed",
        )


async def read_mails(stack, client, admin_db, s: Surprises, found: Findings) -> None:
    """Every mail R was sent: those at once as the surprises were made, and R's digest, made now."""
    base = f"/api/households/{s.household_id}"
    zone = ZoneInfo((await client.get(base, headers=s.recipient.headers)).json()["timezone"])
    while True:  # this hour of today on the household's clock is R's digest time
        now = datetime.now(zone)
        chosen = await client.put(
            f"{base}/notifications/mail",
            json={"digest_hour": now.hour, "digest_weekday": f"{now:%A}".lower()},
            headers=s.recipient.headers,
        )
        assert chosen.status_code == 200, chosen.text
        if datetime.now(zone).hour == now.hour:
            break

    async def all_sent() -> bool:
        rows = await admin_db.fetch(
            "SELECT kind, status FROM notification.mail_message WHERE user_id = $1",
            uuid.UUID(s.recipient.user_id),
        )
        digests = [r for r in rows if r["kind"] in ("daily", "weekly")]
        return bool(digests) and all(r["status"] != "pending" for r in rows)

    await eventually(all_sent, "R's digest made, and every mail to R sent")
    mails = caught(stack, s.recipient.email)
    for mail in mails:
        where = f"the mail “{mail.subject}”"
        for finding in search(s, "\n".join((mail.subject, mail.text, mail.html))):
            found.add(where, finding)
    for what, value in s.mail_controls.items():
        if not any(value in m.text for m in mails):
            found.add(
                "R's mails",
                f"control: the {what} {value!r} is in no mail to R, so the search there proves "
                "nothing",
            )
