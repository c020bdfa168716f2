"""A traversal corpus on every prefix the gateway passes on (notifications, their stream, the audit log):
`..` spelled every way a proxy or a server might decode it, climbing to the gateway's Dapr sidecar
(metadata, secrets, service invocation) and to the services' own /metrics and /openapi.json. Sent as raw
bytes, unnormalised. Every answer is a refusal, and none carries the sidecar's or a service's insides."""

import asyncio
import itertools
from collections import defaultdict

import pytest

from scripts.stack.processes import Stack
from tests.security.findings import Findings
from tests.security.households import bare_household
from tests.security.raw_http import raw_request

pytestmark = pytest.mark.system

# each prefix, with the climbs that matter from it: exactly to its service's root (the notification service,
# or the audit service's invocation path on the sidecar), out of that to the sidecar's /v1.0/invoke/, and past
# any root
PREFIXES = {"notifications": (4, 9), "notifications/stream": (5, 9), "audit": (4, 6, 9)}
# one step up, as each decoder along the way might read it
UP = {
    "raw": "../",
    "encoded dots": "%2e%2e/",
    "encoded slash": "..%2f",
    "all encoded": "%2e%2e%2f",
    "upper-case encoding": "%2E%2E%2F",
    "double encoding": "%252e%252e%252f",
    "backslash": "..\\",
    "encoded backslash": "..%5c",
    "path parameter": "..;/",
    "half encoded": ".%2e/",
    "doubled slash": "..//",
}
TARGETS = (
    "v1.0/metadata",
    "v1.0/secrets/envsecrets/APP_API_TOKEN",
    "v1.0/secrets/envsecrets/bulk",
    "v1.0/invoke/gateway/method/openapi.json",
    "v1.0/invoke/notification/method/metrics",
    "v1.0/invoke/audit/method/metrics",
    "metrics",
    "openapi.json",
    "gateway/method/openapi.json",
)
REFUSED = frozenset({400, 401, 404})
# what the sidecar's metadata, its secret store (the environment), its errors, a /metrics page or an OpenAPI
# document would show
INSIDES = (
    '"runtimeVersion"',
    '"enabledFeatures"',
    '"appConnectionProperties"',
    '"actorRuntime"',
    '"APP_ID"',
    '"errorCode"',
    "ERR_DIRECT_INVOKE",
    "# HELP",
    "# TYPE",
    '"openapi"',
    '"paths"',
    "process_cpu_seconds",
    "dapr_",
)
CONCURRENCY = 8


def corpus(household_id: str) -> list[tuple[str, str, str, str]]:
    """(prefix, spelling, target, request target) of every probe."""
    probes = []
    for (prefix, depths), (spelling, up), target in itertools.product(
        PREFIXES.items(), UP.items(), TARGETS
    ):
        probes += [
            (
                prefix,
                spelling,
                target,
                f"/api/households/{household_id}/{prefix}/{up * depth}{target}",
            )
            for depth in depths
        ]
    # no climbing at all: a doubled slash or an absolute path where the proxy expects a relative one
    for prefix, target in itertools.product(PREFIXES, TARGETS):
        probes += [
            (prefix, "doubled slash", target, f"/api/households/{household_id}/{prefix}//{target}"),
            (
                prefix,
                "encoded leading slash",
                target,
                f"/api/households/{household_id}/{prefix}/%2f{target}",
            ),
        ]
    return probes


@pytest.fixture(scope="session")
async def member(client):
    return await bare_household(client)


async def test_no_path_through_a_proxied_prefix_leaves_it(stack: Stack, member):
    secrets = [v for v in stack.t.secrets.values() if len(v) >= 16]
    gate = asyncio.Semaphore(CONCURRENCY)
    port = stack.t.app_port("gateway")
    through: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    async def probe(
        prefix: str, spelling: str, target: str, path: str, headers: dict[str, str], who: str
    ) -> None:
        async with gate:
            try:
                answer = await raw_request("127.0.0.1", port, "GET", path, headers)
            except (TimeoutError, ConnectionError, ValueError) as exc:
                through[(f"…/{prefix}/ as {who}", f"towards {target}: no answer ({exc!r})")][
                    spelling
                ].append(path)
                return
        shown = [m for m in INSIDES if m in answer.text]
        shown += ["a secret of the stack" for secret in secrets if secret in answer.text]
        if answer.status not in REFUSED or shown:
            says = f", showing {', '.join(shown)}" if shown else ""
            through[(f"…/{prefix}/ as {who}", f"towards {target}: {answer.status}{says}")][
                spelling
            ].append(path)

    probes = corpus(member.id)
    signed_in = {"Authorization": f"Bearer {member.admin.access_token}"}
    await asyncio.gather(
        *(probe(*p, signed_in, "a member") for p in probes),
        *(probe(*p, {}, "nobody") for p in probes if p[0] == "audit"),
    )
    found = Findings()
    for (route, finding), spellings in through.items():
        paths = [path for found_paths in spellings.values() for path in found_paths]
        found.add(
            route,
            f"{finding}, by {len(paths)} probes spelt {', '.join(sorted(spellings))}",
            paths[0],
        )
    assert not found, f"of {len(probes)} probes, " + found.report()
