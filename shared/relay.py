"""The outbox relay: claims unpublished rows, bulk-publishes them through Dapr, marks them sent.

Woken by LISTEN/NOTIFY (the outbox's insert trigger), polling as a fallback (see shared.worker).
Rows are marked published only after Dapr accepted them: a sidecar or broker outage leaves a backlog,
never a loss.

One aggregate's events must reach every consumer in the order they were committed, however many
gateway replicas (and workers) run a relay. So a relay publishes a batch only while it holds the
outbox's transaction-level advisory lock: one batch at a time per outbox, each published and marked
before the next one is read. Rows go out in `seq` order, which along one aggregate's events is commit
order (see shared.outbox). The one exception is Kafka refusing part of one bulk publish: the refused
events stay pending and go out after those behind them, and the `aggregateversion` they carry lets a
consumer that depends on order tell.
"""

import asyncio
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import Boolean, Table, Text, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.dapr import DaprClient, DaprError, OutgoingEvent
from shared.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from shared.outbox import ORIGIN_TRACE
from shared.worker import BackgroundWorker

log = structlog.get_logger()


class OutboxRelay(BackgroundWorker):
    name = "outbox"
    channel = "outbox"  # notified by the outbox's insert trigger
    transient_errors = (DaprError, *BackgroundWorker.transient_errors)

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        dapr: DaprClient,
        listen_dsn: str,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        keep_published: timedelta = timedelta(days=7),
    ) -> None:
        super().__init__(listen_dsn, poll_interval)
        self.engine = engine
        self.table = table
        self.dapr = dapr
        self.batch_size = batch_size
        self.keep_published = keep_published
        self._next_prune = 0.0
        self._next_backlog_check = 0.0
        # the outbox's own lock: its table's oid, in the one-key space (the insert trigger's per-aggregate
        # locks use the two-key space, so they never meet it). Taken and the batch read in one statement:
        # a round trip costs more CPU here than the statement
        self._claim_batch = (
            text(f"""
                WITH turn AS MATERIALIZED (
                    SELECT pg_try_advisory_xact_lock(CAST(CAST(:outbox AS regclass) AS oid)::bigint)
                           AS mine
                )
                SELECT turn.mine, o.id, o.topic, o.partition_key, o.cloudevent
                  FROM turn LEFT JOIN LATERAL (
                       SELECT id, topic, partition_key, cloudevent FROM {table.schema}.{table.name}
                        WHERE turn.mine AND published_at IS NULL
                        ORDER BY seq LIMIT :batch
                          FOR UPDATE
                  ) AS o ON true
            """)
            .bindparams(outbox=table.fullname, batch=batch_size)
            .columns(
                mine=Boolean,
                id=table.c.id.type,
                topic=Text,
                partition_key=Text,
                cloudevent=table.c.cloudevent.type,
            )
        )

    async def run_once(self) -> bool:
        # pruning first: an outage that makes every publish fail must not stop it
        await self._prune_if_due()
        published = await self.relay_once()
        return published >= self.batch_size  # a full batch: there is probably more waiting

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows it marked published."""
        t = self.table
        async with self.engine.begin() as conn:
            rows = await self._claim(conn)
            if rows is None:
                return 0  # another relay is publishing this outbox; its NOTIFY wakes us too
            if not rows:
                await self._observe_backlog(conn)
                return 0
            by_topic: dict[str, list[OutgoingEvent]] = defaultdict(list)
            for row in rows:
                by_topic[row.topic].append(
                    OutgoingEvent(str(row.id), row.partition_key, row.cloudevent)
                )
            accepted: list[str] = []
            failed: list[str] = []
            for topic, events in by_topic.items():
                # one request's events keep its trace in Dapr's own spans too
                origins = {e.cloudevent.get(ORIGIN_TRACE) for e in events}
                traceparent = origins.pop() if len(origins) == 1 else None
                try:
                    rejected = await self.dapr.publish_bulk(topic, events, traceparent)
                except DaprError as exc:
                    rejected = {e.entry_id for e in events}
                    log.warning(
                        "outbox.publish_failed", topic=topic, count=len(events), error=str(exc)
                    )
                accepted += [e.entry_id for e in events if e.entry_id not in rejected]
                failed += list(rejected)
                EVENTS_PUBLISHED.labels(topic, "accepted").inc(len(events) - len(rejected))
                EVENTS_PUBLISHED.labels(topic, "failed").inc(len(rejected))
            if accepted:
                await conn.execute(
                    update(t).where(t.c.id.in_(accepted)).values(published_at=datetime.now(UTC))
                )
            if failed:
                await conn.execute(
                    update(t).where(t.c.id.in_(failed)).values(attempts=t.c.attempts + 1)
                )
            await self._observe_backlog(conn)
        if failed and not accepted:
            raise DaprError(f"none of {len(failed)} events were accepted")
        return len(accepted)

    async def _claim(self, conn) -> list | None:
        """The next batch, in the outbox's order, locked until this transaction ends; None when another
        relay holds the outbox's turn."""
        rows = (await conn.execute(self._claim_batch)).all()
        if not rows[0].mine:
            return None
        return [row for row in rows if row.id is not None]

    async def _prune_if_due(self) -> None:
        """Published rows are kept a while for inspection and replays, then deleted (hourly)."""
        now = asyncio.get_running_loop().time()
        if now < self._next_prune:
            return
        self._next_prune = now + 3600
        t = self.table
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(t).where(t.c.published_at < datetime.now(UTC) - self.keep_published)
            )
        if result.rowcount:
            log.info("outbox.pruned", rows=result.rowcount)

    async def _observe_backlog(self, conn) -> None:
        """The backlog gauges, at most once a second: while a backlog drains, counting it on every
        batch would cost as much as the batch's own queries (the gauges are scraped every 15 s)."""
        now = asyncio.get_running_loop().time()
        if now < self._next_backlog_check:
            return
        self._next_backlog_check = now + 1.0
        t = self.table
        count, oldest = (
            await conn.execute(
                select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None))
            )
        ).one()
        OUTBOX_BACKLOG.set(count)
        OUTBOX_OLDEST_AGE.set((datetime.now(UTC) - oldest).total_seconds() if oldest else 0)
