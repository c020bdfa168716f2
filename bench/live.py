"""The live side: commit → SSE client latency, idle SSE capacity, broadcast fan-out, audit ingest.

* commit → SSE: events committed into the gateway's outbox at 50 writes/s (as a use case does), through
  the relay, Kafka, the notification service, LISTEN/NOTIFY and the gateway's proxy to a stream the way
  a browser holds it (the access cookie), timed at the client.
* capacity: the notification process's RSS before and after 5,000 idle streams, opened by a separate
  load-generating process (`python -m bench.live load …`) so the client's memory is not counted.
* broadcast: one transaction appends a message to each of 1,000 members (the service's own
  `streams.append`, as its consumer does), each with one open stream; timed from just before the
  commit to each client's receipt.
* audit ingest: a backlog waits in Kafka while the audit sidecar is down; then the rate at which the
  audit service records it.
"""

import asyncio
import json
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from bench.common import percentile, write_result
from scripts.stack.processes import Stack
from scripts.stack.topology import ROOT, VENV_PYTHON
from shared.events import Event
from shared.events import gifting as g
from shared.events import household as h
from shared.outbox import to_cloudevent
from shared.tokens import ACCESS_COOKIE, create_access_token

INSERT = """
INSERT INTO gateway.outbox (id, topic, partition_key, event_type, cloudevent)
VALUES ($1, $2, $3, $4, $5::jsonb)
"""


def _outbox_row(event: Event) -> tuple:
    event_id = uuid.uuid4()
    ce = to_cloudevent(event, event_id, datetime.now(UTC))
    return (event_id, event.topic, str(event.aggregate_id()), event.event_type(), json.dumps(ce))


async def _gateway_db(stack: Stack) -> asyncpg.Connection:
    return await asyncpg.connect(stack.t.service_database_url("gateway").replace("+asyncpg", ""))


def _token(stack: Stack, user_id: uuid.UUID) -> str:
    return create_access_token(
        user_id, stack.t.secrets["JWT_SECRET"], datetime.now(UTC), timedelta(hours=3)
    )


async def _gateway_members(
    gateway: asyncpg.Connection, household_id: uuid.UUID, users: list[uuid.UUID]
) -> None:
    """The household and its members as the gateway knows them: it opens a member's stream only for
    members of the household (services/gateway/routes/proxy.py). Written in one statement each, as
    a sign-up and a join would leave them, without the password hashing that would dominate a
    thousand sign-ups."""
    async with gateway.transaction():
        await gateway.execute(
            "INSERT INTO gateway.household (id, name, timezone, created_at) "
            "VALUES ($1, 'Bench', 'UTC', now())",
            household_id,
        )
        await gateway.execute(
            "INSERT INTO gateway.user_account (id, email, display_name, password_hash, created_at) "
            "SELECT u, 'bench-' || u || '@example.com', 'Member', '!', now() FROM unnest($1::uuid[]) u",
            users,
        )
        await gateway.execute(
            "INSERT INTO gateway.membership (household_id, user_id, role, joined_at) "
            "SELECT $1, u, 'adult', now() FROM unnest($2::uuid[]) u",
            household_id,
            users,
        )


async def _household(stack: Stack, members: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A household of `members` the notification service knows of, made through the outbox as the
    gateway would, and waited for until the service has heard of every member."""
    household_id = uuid.uuid4()
    users = [uuid.uuid4() for _ in range(members)]
    now = datetime.now(UTC)
    events = [
        h.HouseholdCreated(
            household_id=household_id,
            actor_id=users[0],
            name="Bench",
            created_at=now,
            creator_display_name="Admin",
        )
    ]
    events += [
        h.MemberJoined(
            household_id=household_id,
            actor_id=u,
            user_id=u,
            display_name=f"Member {i}",
            role="adult",
            joined_at=now,
        )
        for i, u in enumerate(users[1:], 1)
    ]
    gateway = await _gateway_db(stack)
    db = await asyncpg.connect(stack.t.database_dsn())
    try:
        await _gateway_members(gateway, household_id, users)
        async with gateway.transaction():
            await gateway.executemany(INSERT, [_outbox_row(e) for e in events])
        deadline = time.monotonic() + 300
        while (
            await db.fetchval(
                "SELECT count(*) FROM notification.member WHERE household_id = $1", household_id
            )
            < members
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "the notification service did not learn the bench household's members"
                )
            await asyncio.sleep(0.5)
    finally:
        await gateway.close()
        await db.close()
    return household_id, users


_crowds: dict[str, tuple[uuid.UUID, list[uuid.UUID]]] = {}


async def _crowd(stack: Stack, members: int = 1000) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A household of 1,000 for the stream benchmarks, written straight into the notification service's
    read model (and the gateway's members, who may open streams): through events every join reaches everyone already in (half a million messages), which
    is the family's page refreshes, not what these benchmarks measure. Made once per stack."""
    if stack.t.name not in _crowds:
        household_id, users = uuid.uuid4(), [uuid.uuid4() for _ in range(members)]
        conn = await asyncpg.connect(
            stack.t.service_database_url("notification").replace("+asyncpg", "")
        )
        try:
            await conn.executemany(
                "INSERT INTO notification.member (household_id, user_id, role, display_name) VALUES ($1, $2, $3, $4)",
                [(household_id, u, "adult", f"Member {i}") for i, u in enumerate(users)],
            )
        finally:
            await conn.close()
        gateway = await _gateway_db(stack)
        try:
            await _gateway_members(gateway, household_id, users)
        finally:
            await gateway.close()
        _crowds[stack.t.name] = household_id, users
    return _crowds[stack.t.name]


# a minimal SSE client over asyncio streams: thousands of them fit in one process ------------------------
async def sse_connect(
    host: str, port: int, path: str, token: str, on_event, ready: asyncio.Event | None = None
):
    """Open a stream as a browser would (the access cookie) and call `on_event(event, data)` per message."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"Cookie: {ACCESS_COOKIE}={token}\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        writer.close()
        status = head.split(b"\r\n", 1)[0].decode()
        raise RuntimeError(f"stream refused: {status}")
    try:
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                return
            chunk = await reader.readexactly(size + 2)
            for block in chunk[:-2].split(b"\r\n\r\n"):
                event = data = None
                for line in block.split(b"\r\n"):
                    if line.startswith(b"event: "):
                        event = line[7:].decode()
                    elif line.startswith(b"data: "):
                        data = line[6:]
                if event == "ready" and ready is not None:
                    ready.set()
                elif event is not None:
                    on_event(event, data)
    finally:
        writer.close()


async def _open_many(
    host: str, port: int, paths_tokens: list[tuple[str, str]], on_event, batch: int = 100
):
    """Open every stream, `batch` at a time, each waiting until it is `ready`; the reading tasks."""
    tasks = []
    for start in range(0, len(paths_tokens), batch):
        readies = []
        for path, token in paths_tokens[start : start + batch]:
            ready = asyncio.Event()
            readies.append(ready)
            tasks.append(asyncio.create_task(sse_connect(host, port, path, token, on_event, ready)))
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=120)
    return tasks


async def _load(spec_path: str) -> None:
    """The load generator: open the streams of the spec, say so, record broadcasts until told to stop."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    spec = json.loads(Path(spec_path).read_text())
    received: dict[str, list[float]] = {}

    def on_event(event: str, data: bytes | None) -> None:
        if event == "entity_changed" and data and b'"bench"' in data:
            received.setdefault(json.loads(data)["id"], []).append(time.time())

    streams = [(spec["path"], token) for token in spec["tokens"] for _ in range(spec["per_member"])]
    tasks = await _open_many(spec["host"], spec["port"], streams, on_event)
    print(f"connected {len(tasks)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # until told to stop
    print(json.dumps(received), flush=True)
    for task in tasks:
        task.cancel()


class LoadGenerator:
    """A separate process holding many streams (its memory is not the service's)."""

    def __init__(
        self, stack: Stack, household_id: uuid.UUID, users: list[uuid.UUID], per_member: int = 1
    ) -> None:
        self.spec = stack.t.dir / f"sse-load-{uuid.uuid4().hex[:8]}.json"
        self.spec.write_text(
            json.dumps(
                {
                    "host": "127.0.0.1",
                    "port": stack.t.app_port("notification"),
                    "path": f"/api/households/{household_id}/notifications/stream",
                    "tokens": [_token(stack, u) for u in users],
                    "per_member": per_member,
                }
            )
        )
        self.proc = subprocess.Popen(
            [str(VENV_PYTHON), "-m", "bench.live", "load", str(self.spec)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    async def connected(self) -> int:
        line = await asyncio.to_thread(self.proc.stdout.readline)
        if not line.startswith("connected"):
            raise RuntimeError(f"the load generator failed: {line!r}")
        return int(line.split()[1])

    async def stop(self) -> dict[str, list[float]]:
        self.proc.stdin.write("stop\n")
        self.proc.stdin.flush()
        report = await asyncio.to_thread(self.proc.stdout.readline)
        await asyncio.to_thread(self.proc.wait, 60)
        self.spec.unlink(missing_ok=True)
        return json.loads(report) if report.strip() else {}


async def _no_streams_open(stack: Stack) -> None:
    """Wait until the notification service has let go of every stream a previous benchmark opened."""
    async with httpx.AsyncClient(base_url=stack.t.app_url("notification"), timeout=10) as client:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            metrics = (await client.get("/metrics")).text
            if 'giftflow_sse_connections{service="notification"} 0.0' in metrics:
                break
            await asyncio.sleep(0.5)
    await asyncio.sleep(2)


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no RSS for pid {pid}")


# the benchmarks -------------------------------------------------------------------------------------------
async def commit_to_sse(stack: Stack, writes: int = 300, interval_s: float = 0.02) -> dict:
    household_id, (actor, watcher) = await _household(stack, 2)
    arrived: dict[str, float] = {}

    def on_event(event: str, data: bytes | None) -> None:
        if event == "entity_changed":
            arrived.setdefault(json.loads(data)["id"], time.monotonic())

    ready = asyncio.Event()
    path = f"/api/households/{household_id}/notifications/stream"
    client = asyncio.create_task(
        sse_connect(
            "127.0.0.1", stack.t.app_port("gateway"), path, _token(stack, watcher), on_event, ready
        )
    )
    await asyncio.wait_for(ready.wait(), timeout=60)
    gateway = await _gateway_db(stack)
    committed: dict[str, float] = {}
    try:
        list_id, gift_id = uuid.uuid4(), uuid.uuid4()
        started = time.monotonic()
        for i in range(writes):
            event = g.ListItemStatusChanged(
                household_id=household_id,
                actor_id=actor,
                list_item_id=uuid.uuid4(),
                list_id=list_id,
                gift_id=gift_id,
                gift_title="Bench gift",
                previous_status="idea",
                status="selected",
            )
            async with gateway.transaction():
                await gateway.execute(INSERT, *_outbox_row(event))
            committed[str(event.list_item_id)] = time.monotonic()
            await asyncio.sleep(max(0.0, started + (i + 1) * interval_s - time.monotonic()))
        deadline = time.monotonic() + 120
        while len(arrived.keys() & committed.keys()) < writes and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
    finally:
        await gateway.close()
        client.cancel()
    latencies = [(arrived[k] - t) * 1000 for k, t in committed.items() if k in arrived]
    if len(latencies) < writes:
        raise RuntimeError(f"only {len(latencies)} of {writes} writes reached the stream")
    return write_result(
        "commit_to_sse",
        {
            "writes": writes,
            "writes_per_s": round(writes / (max(committed.values()) - min(committed.values())), 1),
            "commit_to_sse_p50_ms": percentile(latencies, 50),
            "commit_to_sse_p99_ms": percentile(latencies, 99),
        },
        notes="outbox commit at 50 writes/s → relay → Kafka → notification consumer → NOTIFY → stream → the "
        "gateway's proxy → an SSE client holding the access cookie; timed at the client",
    )


async def sse_capacity(stack: Stack, connections: int = 5000, members: int = 1000) -> dict:
    household_id, users = await _crowd(stack, members)
    await _no_streams_open(stack)
    pid = stack.pid_of("app-notification")
    warm = LoadGenerator(
        stack, household_id, users[:20]
    )  # first use of every code path, not per-stream cost
    await warm.connected()
    await warm.stop()
    await asyncio.sleep(2)
    before = _rss_kb(pid)
    load = LoadGenerator(stack, household_id, users, per_member=connections // members)
    opened = await load.connected()
    await asyncio.sleep(5)  # let the service settle: every stream idle, only heartbeats
    after = _rss_kb(pid)
    await load.stop()
    return write_result(
        "sse_capacity",
        {
            "connections": opened,
            "notification_rss_before_mb": round(before / 1024, 1),
            "notification_rss_after_mb": round(after / 1024, 1),
            "sse_kb_per_connection": (after - before) / opened,
        },
        notes=f"{opened} idle streams ({connections // members} per member, {members} members) held by a separate "
        "process, straight to one notification replica; RSS of the notification process",
    )


async def sse_broadcast(stack: Stack, clients: int = 1000, rounds: int = 20) -> dict:
    from services.notification.stream_messages import ENTITY_CHANGED, Outgoing, append
    from shared.db import create_engine, session_factory

    household_id, users = await _crowd(stack, clients)
    await _no_streams_open(stack)
    load = LoadGenerator(stack, household_id, users)
    await load.connected()
    engine = create_engine(stack.t.service_database_url("notification"), pool_size=2)
    sessions = session_factory(engine)
    started: dict[str, float] = {}
    try:
        for round_ in range(rounds):
            message = {"entity": "bench", "id": str(round_), "change": "broadcast"}
            async with sessions() as session:
                async with session.begin():
                    await append(
                        session, household_id, [Outgoing(u, ENTITY_CHANGED, message) for u in users]
                    )
                    started[str(round_)] = time.time()  # just before the commit: never flattering
            await asyncio.sleep(1)
        await asyncio.sleep(3)
    finally:
        received = await load.stop()
        await engine.dispose()
    latencies = [(t - started[r]) * 1000 for r, times in received.items() for t in times]
    delivered = sum(len(t) for t in received.values())
    if delivered < clients * rounds:
        raise RuntimeError(f"{delivered} of {clients * rounds} broadcast messages arrived")
    return write_result(
        "sse_broadcast",
        {
            "clients": clients,
            "rounds": rounds,
            "sse_broadcast_1000_p50_ms": percentile(latencies, 50),
            "sse_broadcast_1000_p99_ms": percentile(latencies, 99),
        },
        notes="one transaction appends a message for each of 1,000 members (the consumer's own append); from "
        "just before its commit to receipt by each member's stream on one replica (LISTEN/NOTIFY fan-out)",
    )


async def audit_ingest(stack: Stack, backlog: int = 10_000) -> dict:
    gateway = await _gateway_db(stack)
    db = await asyncpg.connect(stack.t.database_dsn())
    household_id = uuid.uuid4()  # nobody is in it: the notification service has little to do
    rows = [
        _outbox_row(
            g.GiftCreated(
                household_id=household_id,
                actor_id=uuid.uuid4(),
                gift_id=uuid.uuid4(),
                title=f"Gift {i}",
                price="10.00",
                currency="EUR",
                tags=("bench",),
            )
        )
        for i in range(backlog)
    ]
    ids = [r[0] for r in rows]
    stack.stop("daprd-audit")
    try:
        async with gateway.transaction():
            await gateway.executemany(INSERT, rows)
        # the backlog is in Kafka and the other consumer of the gift topic is done with it: audit has the machine
        deadline = time.monotonic() + 900
        while (
            await db.fetchval(
                "SELECT count(*) FROM notification.processed_event WHERE event_id = ANY($1)", ids
            )
            < backlog
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the notification service did not drain the backlog")
            await asyncio.sleep(1)
    finally:
        stack.start_sidecar("audit")
        await gateway.close()
    deadline = time.monotonic() + 900
    while (
        recorded := await db.fetchval(
            "SELECT count(*) FROM audit.audit_entry WHERE event_id = ANY($1)", ids
        )
    ) < backlog:
        if time.monotonic() > deadline:
            raise RuntimeError(f"audit recorded only {recorded} of {backlog}")
        await asyncio.sleep(0.5)
    first, last = await db.fetchrow(
        "SELECT min(recorded_at), max(recorded_at) FROM audit.audit_entry WHERE event_id = ANY($1)",
        ids,
    )
    await db.close()
    seconds = (last - first).total_seconds()
    return write_result(
        "audit_ingest",
        {
            "backlog_events": backlog,
            "audit_ingest_seconds": seconds,
            "audit_ingest_events_per_s": backlog / seconds if seconds else float(backlog),
        },
        notes="a backlog of gift.created events waits in Kafka while the audit sidecar is down; from the first "
        "audit entry recorded to the last (bulk subscribe, one transaction per delivered batch)",
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["load"]:
        asyncio.run(_load(sys.argv[2]))
    else:
        sys.exit(
            "usage: python -m bench.live load SPEC.json   (the load generator; run benchmarks with `make bench`)"
        )
