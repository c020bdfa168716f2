"""The event pipe: commit → consumer latency for single writes, and the outbox drain rate.

Events are committed straight into the gateway's outbox as the gateway role (the same table,
trigger and relay a use case goes through), so the figures are the pipe's own: relay, daprd,
Kafka, the consumers' sidecars and their transactions.
"""

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import asyncpg

from bench.common import load_average, percentile, write_result
from scripts.stack.processes import Stack
from scripts.stack.topology import CONSUMERS
from shared.events import HouseholdCreated
from shared.outbox import to_cloudevent

INSERT = """
INSERT INTO gateway.outbox (id, topic, partition_key, event_type, cloudevent)
VALUES ($1, 'household', $2, $3, $4::jsonb)
"""


def _row(now: datetime) -> tuple:
    household_id = uuid.uuid4()
    event_id = uuid.uuid4()
    event = HouseholdCreated(household_id=household_id, name="Bench", created_at=now)
    return (
        event_id,
        str(household_id),
        event.event_type(),
        json.dumps(to_cloudevent(event, event_id, now)),
    )


async def _processed_at(
    db: asyncpg.Connection, ids: list[uuid.UUID]
) -> dict[str, dict[uuid.UUID, datetime]]:
    seen = {}
    for consumer in CONSUMERS:
        rows = await db.fetch(
            f"SELECT event_id, processed_at FROM {consumer}.processed_event WHERE event_id = ANY($1)",
            ids,
        )
        seen[consumer] = {r["event_id"]: r["processed_at"] for r in rows}
    return seen


async def _wait_all(db: asyncpg.Connection, ids: list[uuid.UUID], patience: float) -> dict:
    deadline = time.monotonic() + patience
    while True:
        seen = await _processed_at(db, ids)
        if all(len(s) == len(ids) for s in seen.values()):
            return seen
        if time.monotonic() > deadline:
            missing = {c: len(ids) - len(s) for c, s in seen.items()}
            raise RuntimeError(f"events still missing after {patience}s: {missing}")
        await asyncio.sleep(0.5)


async def commit_to_consumer(
    stack: Stack, writes: int = 300, interval_s: float = 0.05, warmup: int = 30
) -> dict:
    gateway = await asyncpg.connect(stack.t.service_database_url("gateway").replace("+asyncpg", ""))
    db = await asyncpg.connect(stack.t.database_dsn())
    try:
        # a fresh stack's first events wait on first connections and consumer-group joins (up to
        # ~0.5 s): warm-up writes, not measured, so the figure is the steady state
        warm = []
        for _ in range(warmup):
            row = _row(datetime.now(UTC))
            async with gateway.transaction():
                await gateway.execute(INSERT, *row)
            warm.append(row[0])
            await asyncio.sleep(interval_s)
        await _wait_all(db, warm, patience=120)
        load_before = load_average()
        ids, committed = [], {}
        for _ in range(writes):
            row = _row(datetime.now(UTC))
            async with gateway.transaction():
                await gateway.execute(INSERT, *row)
            committed[row[0]] = datetime.now(UTC)
            ids.append(row[0])
            await asyncio.sleep(interval_s)
        seen = await _wait_all(db, ids, patience=120)
    finally:
        await gateway.close()
    await db.close()
    per_hop = [(s[i] - committed[i]).total_seconds() * 1000 for s in seen.values() for i in ids]
    to_all = [max((s[i] - committed[i]).total_seconds() * 1000 for s in seen.values()) for i in ids]
    return write_result(
        "commit_to_consumer",
        {
            "writes": writes,
            "commit_to_consumer_p50_ms": percentile(per_hop, 50),
            "commit_to_consumer_p99_ms": percentile(per_hop, 99),
            "commit_to_all_four_consumers_p99_ms": percentile(to_all, 99),
            "load_avg_1m_before": load_before,
            "load_avg_1m_after": load_average(),
        },
        notes=f"after {warmup} unmeasured warm-up writes, single writes 50 ms apart; latency = consumer transaction start - commit, "
        "pooled over the four consumers (notification, reminder, recurring, audit)",
    )


async def outbox_drain(stack: Stack, backlog: int = 10_000) -> dict:
    """A backlog builds while the gateway's sidecar is down; then it drains through all four consumers."""
    gateway = await asyncpg.connect(stack.t.service_database_url("gateway").replace("+asyncpg", ""))
    db = await asyncpg.connect(stack.t.database_dsn())
    load_before = load_average()
    stack.stop("daprd-gateway")
    try:
        now = datetime.now(UTC)
        rows = [_row(now) for _ in range(backlog)]
        async with gateway.transaction():
            await gateway.executemany(INSERT, rows)
    finally:
        stack.start_sidecar("gateway")
        await gateway.close()
    ids = [r[0] for r in rows]
    seen = await _wait_all(db, ids, patience=600)
    published = await db.fetchrow(
        "SELECT min(published_at) AS first, max(published_at) AS last FROM gateway.outbox WHERE id = ANY($1)",
        ids,
    )
    await db.close()
    start = published["first"]
    end = max(max(s.values()) for s in seen.values())
    drain_s = (end - start).total_seconds()
    publish_s = (published["last"] - start).total_seconds()
    return write_result(
        "outbox_drain",
        {
            "backlog_events": backlog,
            "outbox_drain_events_per_s": backlog / drain_s,
            "outbox_drain_seconds": drain_s,
            "outbox_publish_events_per_s": backlog / publish_s if publish_s else float(backlog),
            # each consumer's own pace over the same window: the slowest bounds the drain
            **{
                f"outbox_drain_{consumer}_events_per_s": backlog
                / (max(times.values()) - start).total_seconds()
                for consumer, times in seen.items()
            },
            "load_avg_1m_before": load_before,
            "load_avg_1m_after": load_average(),
        },
        notes="from the first publish to the last of the four consumers' commits; each consumer "
        "receives every event (4 x backlog deliveries)",
    )
