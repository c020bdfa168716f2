"""Crafted paths through the real gateway reach nothing behind it: every traversal of every route the
gateway passes on (and of the internal ones Dapr invokes) is answered 404 — signed in as a member of
the household or not — no answer carries anything of a sidecar or a service behind the gateway, and
neither the gateway's sidecar nor any service counts a single request more.

The paths go over a raw socket, exactly as written: HTTP clients resolve `..` before sending. The routes
are read from the gateway app itself, so a route added later is covered without a new test. The
corpus's every path has a segment some server would read as `..`, so the answer is 404 before the
gateway even looks at the sign-in; a signed-out request to a real route is 401 (checked too, as proof
that the raw requests reach the routes at all).
"""

import asyncio
import re
import uuid
from collections import Counter

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from scripts.stack.processes import Stack
from services.gateway.main import create_app
from services.gateway.routes.proxy import ROUTES
from tests.integration.accounts import new_household, sign_up
from tests.system.conftest import eventually
from tests.traversal import concrete, corpus

# the routes only members may reach (a public one, the mails' unsubscribe, carries its own signed token
# and is passed on with nobody signed in: tests/unit/test_proxy_routes.py)
MEMBERS_ONLY = [r for r in ROUTES if not r.public]

# in any answer, a sign that something behind the gateway answered: a sidecar's error or metadata, the
# process environment its secret store would list, a Prometheus scrape, an OpenAPI document
LEAKS = (
    "errorCode",
    "ERR_",
    "runtimeVersion",
    "enabledFeatures",
    "KAFKA_BROKERS",
    "PATH",
    "# HELP",
    '"openapi"',
)
BEHIND = (
    "notification",
    "reminder",
    "recurring",
    "audit",
)  # every app the gateway or its sidecar can reach
SERIES = re.compile(r"^(\w+)\{([^}]*)\} ([0-9.e+]+)$", re.M)
LABEL = re.compile(r'(\w+)="([^"]*)"')
ANSWER_TIMEOUT_S = 10  # a ceiling for an answer that never ends; every 404 comes at once


def hidden_api_routes() -> list[tuple[str, frozenset[str]]]:
    """Every /api route of the gateway that is not in its OpenAPI document (which the outside-in suite
    walks): the ones it passes on to the services that own them, and the internal ones Dapr invokes."""
    contexts = iter_route_contexts(create_app().routes)
    return sorted(
        {
            (c.path, frozenset(c.methods))
            for c in contexts
            if c.path.startswith("/api/") and not c.include_in_schema
        }
    )


async def send_raw(
    stack: Stack, method: str, path: str, headers: dict[str, str]
) -> tuple[int, str]:
    """One request with `path` exactly as given (as `curl --path-as-is` would send it)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.t.app_port("gateway"))
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Content-Length: 0",
            "Connection: close",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        answer = b""
        try:
            while chunk := await asyncio.wait_for(reader.read(65536), timeout=ANSWER_TIMEOUT_S):
                answer += chunk
        except TimeoutError:
            pass  # an answer that does not end (a stream someone reached): what came says enough
    finally:
        writer.close()
    head, _, body = answer.decode("latin-1").partition("\r\n\r\n")
    status = head.split(" ", 2)[1] if head.startswith("HTTP/") else "0"
    return int(status), body


def parse(scrape: str, name: str) -> Counter:
    series: Counter = Counter()
    for metric, labels, value in SERIES.findall(scrape):
        if metric == name:
            series[tuple(sorted(LABEL.findall(labels)))] += float(value)
    return series


async def requests_behind_the_gateway(stack: Stack) -> dict[str, Counter]:
    """What each service behind the gateway, and the gateway's sidecar, has been asked so far — less
    what is not a request from outside: event deliveries and the relays' publishes (health checks and
    scrapes are not counted at all)."""
    counts = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for service in BEHIND:
            scrape = (await client.get(f"{stack.t.app_url(service)}/metrics")).text
            counts[service] = Counter(
                {
                    labels: n
                    for labels, n in parse(scrape, "giftflow_http_requests_total").items()
                    if dict(labels)["route"] != "/events"
                }
            )
        scrape = (
            await client.get(f"http://127.0.0.1:{stack.t.dapr_metrics_port('gateway')}/metrics")
        ).text
        counts["daprd-gateway"] = Counter(
            {
                labels: n
                for labels, n in parse(scrape, "dapr_http_server_request_count").items()
                if not dict(labels)["path"].startswith(
                    ("/v1.0/healthz", "/v1.0-alpha1/publish/bulk/")
                )
            }
        )
    return counts


@pytest.fixture
async def member(stack: Stack):
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as gateway:
        ann = await sign_up(gateway, name="Ann")
        household_id = await new_household(gateway, ann)
    return ann, household_id


def prefixes(household_id: str) -> list[tuple[str, frozenset[str]]]:
    routes = hidden_api_routes()
    templates = {path for path, _ in routes}
    assert {f"/api{r.route}" for r in ROUTES} <= templates, "the gateway serves every proxied route"

    def fill(template: str) -> str:
        names = {n for n in re.findall(r"\{(\w+)", template) if n != "household_id"}
        return concrete(
            template, household_id=household_id, **{n: str(uuid.uuid4()) for n in names}
        )

    return [(fill(path), methods) for path, methods in routes]


async def test_the_raw_requests_reach_the_routes_they_name(stack: Stack, member):
    ann, household_id = member
    for route in MEMBERS_ONLY:
        path = concrete(
            f"/api{route.route}", household_id=household_id, notification_id=str(uuid.uuid4())
        )
        for method in route.methods:
            assert (await send_raw(stack, method, path, {}))[0] == 401, (method, path)
        if "GET" in route.methods and not route.stream:

            async def served() -> bool:
                return (
                    await send_raw(
                        stack, "GET", path, {"Authorization": f"Bearer {ann.access_token}"}
                    )
                )[0] == 200

            await eventually(served, f"{path} served to a member through the gateway")


async def test_no_traversal_of_a_passed_on_route_reaches_anything_behind_the_gateway(
    stack: Stack, member
):
    ann, household_id = member
    secrets = list(stack.t.secrets.values())
    callers = {"signed out": {}, "a member": {"Authorization": f"Bearer {ann.access_token}"}}
    requests = [
        (method, path, who)
        for prefix, methods in prefixes(household_id)
        for path in corpus(prefix)
        for method in sorted(methods | {"GET"})
        for who in callers
    ]
    gate = asyncio.Semaphore(8)

    async def attempt(method: str, path: str, who: str) -> str | None:
        async with gate:
            status, body = await send_raw(stack, method, path, callers[who])
        if status != 404:
            return f"{method} {path} as {who}: {status} {body[:200]}"
        if leaked := [marker for marker in (*LEAKS, *secrets) if marker in body]:
            return f"{method} {path} as {who}: the answer carries {leaked}"
        return None

    before = await requests_behind_the_gateway(stack)
    failures = [f for f in await asyncio.gather(*(attempt(*r) for r in requests)) if f]
    after = await requests_behind_the_gateway(stack)

    assert not failures, f"{len(failures)} of {len(requests)} requests:\n" + "\n".join(
        failures[:20]
    )
    for name in after:  # scrapes of /metrics (ours, Prometheus's) are not counted as requests
        more = after[name] - before[name]
        assert not more, (name, more)
