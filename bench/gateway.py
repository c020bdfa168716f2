"""The gateway under concurrent load: read and write throughput and latency, from a separate process.

The seed's family (`scripts/seed`) is loaded through the REST API first, so the reads run over a realistic
household: lists of 5-15 items, 100+ gifts with tags, recipients, claims and pledges. Then `wrk` (its own
process, in C, so the client is not the bottleneck on a small machine) replays a fixed mix of requests
as three adult members, at a fixed number of connections: a warm-up, then a measured run. Writes run
with the whole stack consuming their events (outbox relay, Kafka, the four consumers).

Every request must answer 2xx: a run with any other answer or a socket error is reported, and fails.
The machine's load average and the CPU time the gateway and Postgres spent per request are recorded
too: on a shared machine the rates depend on what else runs, the CPU per request much less.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import write_result
from scripts.seed import Seeded, seed
from scripts.seed.api import Gateway, Login
from scripts.stack.processes import WORKERS, Stack

LUA = Path(__file__).resolve().parent / "load" / "replay.lua"
CONNECTIONS = 16
THREADS = 2
WARMUP_S = 5
DURATION_S = 20
MEMBERS = ("maya", "daniel", "grace")  # three adults: the family members who plan most of the gifts

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    rps: float
    latency_ms: dict[int, float]  # percentile -> ms, from --latency: 50, 75, 90, 99
    non_2xx: int
    socket_errors: int

    @property
    def failed(self) -> int:
        return self.non_2xx + self.socket_errors


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value).groups()
    return float(number) * _UNIT_MS[unit]


def parse_wrk(output: str) -> WrkRun:
    """The figures of `wrk --latency` output (wrk counts 3xx as success; this API answers none)."""
    done = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output, re.M)
    if not done:
        raise ValueError(f"not wrk --latency output:\n{output}")
    latency = {int(p): _ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", output, re.M)}
    if 99 not in latency:
        raise ValueError(f"wrk output has no latency distribution (run with --latency):\n{output}")
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    return WrkRun(
        requests=int(done.group(1)),
        seconds=_ms(done.group(2) + done.group(3)) / 1000,
        rps=float(rps.group(1)),
        latency_ms=latency,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(map(int, sockets.groups())) if sockets else 0,
    )


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed here when missing (as root; otherwise say how)."""
    if path := shutil.which("wrk"):
        return path
    if os.geteuid() != 0:
        raise RuntimeError(
            "the gateway benchmark needs wrk, the HTTP load generator: `sudo apt-get install -y wrk`"
        )
    print("bench: installing wrk (apt-get install -y wrk)", flush=True)
    if subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=True)
    return shutil.which("wrk") or "wrk"


def load_avg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def cpu_seconds(root: int | None) -> float:
    """CPU time used so far by a process and its descendants (uvicorn's workers, Postgres' backends)."""
    procs = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        procs[int(stat.parent.name)] = (
            int(fields[1]),
            int(fields[11]) + int(fields[12]),
        )  # ppid, utime+stime
    tree, grew = {root}, True
    while grew:
        added = {pid for pid, (ppid, _) in procs.items() if ppid in tree} - tree
        tree |= added
        grew = bool(added)
    return sum(procs[pid][1] for pid in tree if pid in procs) / os.sysconf("SC_CLK_TCK")


# --- the family and the request mixes ------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    household_id: str
    logins: dict[str, Login]
    lists: dict[str, list[str]]  # per member: lists they see that are not for them
    gifts: dict[str, list[str]]  # per member: gifts they see
    persons: list[str]


async def _family(url: str) -> Family:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        seeded: Seeded = await seed(client)  # logs everyone in again if the family is already there
        api, h = Gateway(client), f"/households/{seeded.household_id}"
        logins = {login.key: login for login in seeded.logins}
        persons = (await api.call("GET", f"{h}/people?limit=200", logins["maya"]))["items"]
        lists, gifts = {}, {}
        for key in MEMBERS:
            mine = {p["id"] for p in persons if p["linked_user_id"] == logins[key].user_id}
            seen = (await api.call("GET", f"{h}/lists?limit=200", logins[key]))["items"]
            lists[key] = [lst["id"] for lst in seen if lst["person_id"] not in mine]
            gifts[key] = [
                g["id"]
                for g in (await api.call("GET", f"{h}/gifts?limit=200", logins[key]))["items"]
            ]
    return Family(seeded.household_id, logins, lists, gifts, [p["id"] for p in persons])


def read_mix(family: Family) -> list[tuple[str, str, str, str]]:
    """Per member: the items of three lists, a text search, a tag search, a person's gifts, two gifts
    and the dashboard: what someone browsing the family's plans asks for."""
    h, lines = f"/api/households/{family.household_id}", []
    for i, key in enumerate(MEMBERS):
        token, lists, gifts = family.logins[key].access_token, family.lists[key], family.gifts[key]
        paths = [f"{h}/lists/{lists[(i + k) % len(lists)]}/items" for k in range(3)]
        paths += [
            f"{h}/gifts?q=set",
            f"{h}/gifts?tag=books",
            f"{h}/gifts?person_id={family.persons[3 + i]}",
            f"{h}/gifts/{gifts[i]}",
            f"{h}/gifts/{gifts[-1 - i]}",
            f"{h}/dashboard",
        ]
        lines += [("GET", path, token, "") for path in paths]
    return lines


def write_mix(family: Family) -> list[tuple[str, str, str, str]]:
    """Per member: a new gift, a new wish on someone's list, a comment on a gift."""
    h, lines = f"/api/households/{family.household_id}", []
    for i, key in enumerate(MEMBERS):
        token, lists, gifts = family.logins[key].access_token, family.lists[key], family.gifts[key]
        lines += [
            (
                "POST",
                f"{h}/gifts",
                token,
                '{"title": "Board game {n}", "price": "24.99", "currency": "GBP", "tags": ["games"]}',
            ),
            (
                "POST",
                f"{h}/lists/{lists[i % len(lists)]}/items",
                token,
                '{"gift": {"title": "Jigsaw puzzle {n}", "price": "12.50", "currency": "GBP"}, "quantity": 1}',
            ),
            (
                "POST",
                f"{h}/gifts/{gifts[i]}/comments",
                token,
                '{"body": "Seen it cheaper in town ({n})"}',
            ),
        ]
    return lines


async def _check(url: str, lines: list[tuple[str, str, str, str]]) -> None:
    """Each request once, so a mix that the API refuses fails here with the reason, not as a count."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for n, (method, path, token, body) in enumerate(lines):
            response = await client.request(
                method,
                path,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                content=body.replace("{n}", f"check-{n}") or None,
            )
            if not response.is_success:
                raise RuntimeError(
                    f"{method} {path} answered {response.status_code}: {response.text[:300]}"
                )


def run_wrk(
    url: str,
    lines: list[tuple[str, str, str, str]],
    seconds: int,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
) -> WrkRun:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", prefix="giftflow-bench-") as mix:
        mix.writelines("\t".join(line) + "\n" for line in lines)
        mix.flush()
        result = subprocess.run(
            [
                ensure_wrk(),
                "--latency",
                "--timeout",
                "10s",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "-s",
                str(LUA),
                url,
                "--",
                mix.name,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return parse_wrk(result.stdout)


async def _measure(stack: Stack, name: str, mix, what: str) -> dict:
    ensure_wrk()
    url = stack.t.gateway_url
    lines = mix(await _family(url))
    await _check(url, lines)
    run_wrk(url, lines, WARMUP_S)
    gateway, postgres = stack.pid_of("app-gateway"), stack.pid_of("postgres")
    load_before, t0 = load_avg(), time.monotonic()
    cpu_before = cpu_seconds(gateway), cpu_seconds(postgres)
    run = run_wrk(url, lines, DURATION_S)
    cpu_gateway, cpu_postgres = (
        cpu_seconds(p) - before for p, before in zip((gateway, postgres), cpu_before, strict=True)
    )
    load_after = load_avg()
    metrics = {
        f"{name}_rps": run.rps,
        f"{name}_p50_ms": run.latency_ms[50],
        f"{name}_p90_ms": run.latency_ms[90],
        f"{name}_p99_ms": run.latency_ms[99],
        f"{name}_requests": run.requests,
        f"{name}_non_2xx": run.non_2xx,
        f"{name}_socket_errors": run.socket_errors,
        # what a request costs whatever else the machine is doing: the gateway's and Postgres' CPU time
        f"{name}_gateway_cpu_ms_per_request": cpu_gateway * 1000 / max(run.requests, 1),
        f"{name}_postgres_cpu_ms_per_request": cpu_postgres * 1000 / max(run.requests, 1),
        "connections": CONNECTIONS,
        "gateway_workers": WORKERS.get("gateway", 1),
        "seconds": round(time.monotonic() - t0),
        "load_avg_1m_before": load_before,
        "load_avg_1m_after": load_after,
    }
    path = write_result(
        name,
        metrics,
        notes=(
            f"wrk, {THREADS} threads, {CONNECTIONS} connections, {DURATION_S}s after a {WARMUP_S}s warm-up, "
            f"as 3 adult members, round robin over {len(lines)} requests: {what}"
            + ("; INVALID: some requests failed" if run.failed else "")
        ),
    )
    if run.failed:
        raise RuntimeError(
            f"{name}: {run.non_2xx} non-2xx answers and {run.socket_errors} socket errors "
            f"out of {run.requests}; see {path} and the gateway's log"
        )
    return metrics


async def gateway_read(stack: Stack) -> dict:
    return await _measure(
        stack,
        "gateway_read",
        read_mix,
        "per member the items of 3 lists, gifts by text, "
        "by tag and by person, 2 single gifts and the dashboard",
    )


async def gateway_write(stack: Stack) -> dict:
    return await _measure(
        stack,
        "gateway_write",
        write_mix,
        "per member a new gift, a new gift onto a list "
        "and a comment on a gift, each with its outbox event consumed by the whole stack",
    )
