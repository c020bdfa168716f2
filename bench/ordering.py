"""What the ordering guarantee costs: the event pipe with events in commit order (now) and as it was
before (no per-aggregate lock or numbering on insert; relays publishing side by side), on one stack,
one after the other.

Both runs use two relays in this process, as the gateway's two workers run them, and the gateway's own
are stopped meanwhile, so the only difference is the ordering:

* after: the outbox's insert trigger numbers each event under its aggregate's lock (shared/outbox.py),
  and the relays take turns, one batch at a time, in that order (shared/relay.py);
* before: inserts take a plain sequence number, no lock (the trigger disabled for the run), and each
  relay claims its own batch FOR UPDATE SKIP LOCKED, oldest `created_at` first (`PreviousRelay`).

Measured in each: commit → consumer latency of single writes (as bench/pipe.py), the commit latency of
writers contending for one aggregate (where the per-aggregate lock waits; a real use case already waits
on the aggregate's row lock, so this is the worst case), and the drain rate of a 10,000-event backlog.
"""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import select

from bench.common import load_average, percentile, write_result
from bench.pipe import INSERT, _row, _wait_all
from scripts.stack.processes import Stack
from services.gateway.models import outbox
from shared.dapr import DaprClient
from shared.db import asyncpg_dsn, create_engine
from shared.events.household import HouseholdUpdated
from shared.outbox import to_cloudevent
from shared.relay import OutboxRelay
from shared.worker import running

RELAYS = 2  # as many as the local gateway's workers
Relays = Callable[
    [], AbstractAsyncContextManager[None]
]  # runs the relays for as long as the block lasts


class PreviousRelay(OutboxRelay):
    """The relay before events were ordered: every relay at once, each on a batch of its own."""

    async def _claim(self, conn) -> list:
        t = self.table
        return (
            await conn.execute(
                select(t.c.id, t.c.topic, t.c.partition_key, t.c.cloudevent)
                .where(t.c.published_at.is_(None))
                .order_by(t.c.created_at)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()


@asynccontextmanager
async def ordering(stack: Stack, ordered: bool) -> AsyncIterator[Relays]:
    """The outbox as it is (`ordered`) or as it was; yields a context that runs the relays."""
    admin = await asyncpg.connect(stack.t.database_dsn())
    if not ordered:
        await admin.execute("ALTER TABLE gateway.outbox DISABLE TRIGGER outbox_ordered")
        await admin.execute(
            "ALTER TABLE gateway.outbox ALTER COLUMN seq SET DEFAULT nextval('gateway.outbox_seq')"
        )
    url = stack.t.service_database_url("gateway")
    engine = create_engine(url, pool_size=RELAYS + 1)
    dapr = DaprClient(stack.t.dapr_url("gateway"), stack.t.secrets["DAPR_API_TOKEN"])
    kind = OutboxRelay if ordered else PreviousRelay

    @asynccontextmanager
    async def relays() -> AsyncIterator[None]:
        async with running(
            *(kind(engine, outbox, dapr, listen_dsn=asyncpg_dsn(url)) for _ in range(RELAYS))
        ):
            yield

    try:
        yield relays
    finally:
        await dapr.aclose()
        await engine.dispose()
        if not ordered:
            await admin.execute("ALTER TABLE gateway.outbox ALTER COLUMN seq DROP DEFAULT")
            await admin.execute("ALTER TABLE gateway.outbox ENABLE TRIGGER outbox_ordered")
        await admin.close()


async def _commit_to_consumer(
    stack: Stack, relays: Relays, writes: int, interval_s: float, warmup: int
) -> dict:
    gateway = await asyncpg.connect(asyncpg_dsn(stack.t.service_database_url("gateway")))
    db = await asyncpg.connect(stack.t.database_dsn())
    try:
        async with relays():

            async def write_all(count: int) -> dict[uuid.UUID, datetime]:
                committed = {}
                for _ in range(count):
                    row = _row(datetime.now(UTC))
                    async with gateway.transaction():
                        await gateway.execute(INSERT, *row)
                    committed[row[0]] = datetime.now(UTC)
                    await asyncio.sleep(interval_s)
                return committed

            await _wait_all(db, list(await write_all(warmup)), patience=120)
            committed = await write_all(writes)
            seen = await _wait_all(db, list(committed), patience=120)
    finally:
        await gateway.close()
        await db.close()
    per_hop = [
        (s[i] - at).total_seconds() * 1000 for s in seen.values() for i, at in committed.items()
    ]
    return {
        "commit_to_consumer_p50_ms": percentile(per_hop, 50),
        "commit_to_consumer_p99_ms": percentile(per_hop, 99),
    }


async def _hot_aggregate_commits(stack: Stack, writers: int, each: int) -> dict:
    """Commit latency of `writers` side by side, all writing events of one aggregate (relays stopped:
    only the insert path is measured; the rows are deleted afterwards)."""
    household_id = uuid.uuid4()
    conns = [
        await asyncpg.connect(asyncpg_dsn(stack.t.service_database_url("gateway")))
        for _ in range(writers)
    ]
    latencies: list[float] = []

    async def write(conn: asyncpg.Connection) -> None:
        for i in range(each):
            event_id, now = uuid.uuid4(), datetime.now(UTC)
            event = HouseholdUpdated(
                household_id=household_id, name=f"Bench {i}", timezone="UTC", changed=("name",)
            )
            started = time.perf_counter()
            async with conn.transaction():
                await conn.execute(
                    INSERT,
                    event_id,
                    str(household_id),
                    event.event_type(),
                    json.dumps(to_cloudevent(event, event_id, now)),
                )
            latencies.append((time.perf_counter() - started) * 1000)

    try:
        await asyncio.gather(*(write(c) for c in conns))
        await conns[0].execute(
            "DELETE FROM gateway.outbox WHERE partition_key = $1", str(household_id)
        )
    finally:
        for conn in conns:
            await conn.close()
    return {
        "hot_aggregate_commit_p50_ms": percentile(latencies, 50),
        "hot_aggregate_commit_p99_ms": percentile(latencies, 99),
    }


async def _drain(stack: Stack, relays: Relays, backlog: int) -> dict:
    gateway = await asyncpg.connect(asyncpg_dsn(stack.t.service_database_url("gateway")))
    db = await asyncpg.connect(stack.t.database_dsn())
    try:
        now = datetime.now(UTC)
        rows = [_row(now) for _ in range(backlog)]
        async with gateway.transaction():  # while no relay runs: the backlog is there all at once
            await gateway.executemany(INSERT, rows)
        ids = [r[0] for r in rows]
        async with relays():
            seen = await _wait_all(db, ids, patience=900)
        published = await db.fetchrow(
            "SELECT min(published_at) AS first, max(published_at) AS last FROM gateway.outbox WHERE id = ANY($1)",
            ids,
        )
    finally:
        await gateway.close()
        await db.close()
    drain_s = (max(max(s.values()) for s in seen.values()) - published["first"]).total_seconds()
    publish_s = (published["last"] - published["first"]).total_seconds()
    return {
        "drain_events_per_s": backlog / drain_s,
        "publish_events_per_s": backlog / publish_s if publish_s else float(backlog),
    }


async def ordering_cost(
    stack: Stack,
    writes: int = 200,
    interval_s: float = 0.05,
    warmup: int = 20,
    hot_writers: int = 8,
    hot_each: int = 50,
    backlog: int = 10_000,
) -> dict:
    load_before = load_average()
    stack.stop("app-gateway")  # its relays would race ours; the sidecar stays for publishing
    figures: dict[str, float] = {}
    try:
        for name, ordered in (("before", False), ("after", True)):
            async with ordering(stack, ordered) as relays:
                measured = {
                    **await _commit_to_consumer(stack, relays, writes, interval_s, warmup),
                    **await _hot_aggregate_commits(stack, hot_writers, hot_each),
                    **await _drain(stack, relays, backlog),
                }
            figures.update({f"{name}_{k}": v for k, v in measured.items()})
    finally:
        stack.start_app("gateway")
    for k in (
        "commit_to_consumer_p50_ms",
        "commit_to_consumer_p99_ms",
        "hot_aggregate_commit_p99_ms",
    ):
        figures[f"cost_{k}"] = figures[f"after_{k}"] - figures[f"before_{k}"]
    figures["cost_drain_rate_ratio"] = (
        figures["after_drain_events_per_s"] / figures["before_drain_events_per_s"]
    )
    return write_result(
        "ordering_cost",
        {
            **figures,
            "load_avg_1m_before": load_before,
            "load_avg_1m_after": load_average(),
        },
        notes=f"before = no per-aggregate lock or numbering on insert, {RELAYS} relays side by side (SKIP LOCKED, "
        f"created_at order); after = numbered under the aggregate's lock, {RELAYS} relays taking turns in that "
        f"order. commit->consumer: {writes} single writes {interval_s * 1000:.0f} ms apart after {warmup} "
        f"warm-up writes, pooled over the four consumers; hot aggregate: {hot_writers} writers x {hot_each} "
        f"commits on one aggregate; drain: a {backlog}-event backlog through all four consumers. "
        "cost_* = after - before (ms), cost_drain_rate_ratio = after / before.",
    )
