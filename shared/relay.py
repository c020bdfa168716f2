"""The outbox relay: claims unpublished rows, bulk-publishes them through Dapr, marks them sent.

Woken by LISTEN/NOTIFY (the outbox's insert trigger), polling as a fallback. Rows are claimed
with FOR UPDATE SKIP LOCKED, so several gateway replicas can relay side by side, and marked
published only after Dapr accepted them: a sidecar or broker outage leaves a backlog, never a loss.
"""

import asyncio
import contextlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.dapr import DaprClient, DaprError, OutgoingEvent
from shared.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from shared.outbox import ORIGIN_TRACE

log = structlog.get_logger()

NOTIFY_CHANNEL = "outbox"


class OutboxRelay:
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
        self.engine = engine
        self.table = table
        self.dapr = dapr
        self.listen_dsn = listen_dsn
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.keep_published = keep_published
        self._next_prune = 0.0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="outbox-listen"),
            asyncio.create_task(self._run(), name="outbox-relay"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self) -> None:
        """Keep a LISTEN connection open; reconnect when Postgres goes away (polling covers the gap)."""
        while True:
            try:
                conn = await asyncpg.connect(self.listen_dsn)
                try:
                    await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
                    self._wake.set()  # catch up on whatever was written before we listened
                    while not conn.is_closed():
                        await asyncio.sleep(5)
                finally:
                    await conn.close()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("outbox.listen_failed", error=repr(exc))
            await asyncio.sleep(1)

    async def _run(self) -> None:
        backoff = self.poll_interval
        while True:
            try:
                published = await self.relay_once()
                backoff = self.poll_interval
                await self._prune_if_due()
            except (DaprError, OSError, asyncpg.PostgresError) as exc:
                log.warning("outbox.relay_failed", error=repr(exc))
                published = 0
                backoff = min(backoff * 2, 5.0)
            except Exception:
                log.exception("outbox.relay_crashed")
                published = 0
                backoff = min(backoff * 2, 5.0)
            if published >= self.batch_size:
                continue  # a full batch: there is probably more waiting
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows it marked published."""
        t = self.table
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(t.c.id, t.c.topic, t.c.partition_key, t.c.cloudevent)
                    .where(t.c.published_at.is_(None))
                    .order_by(t.c.created_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                await self._observe_backlog(conn)
                return 0
            by_topic: dict[str, list[OutgoingEvent]] = defaultdict(list)
            for row in rows:
                by_topic[row.topic].append(OutgoingEvent(str(row.id), row.partition_key, row.cloudevent))
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
                    log.warning("outbox.publish_failed", topic=topic, count=len(events), error=str(exc))
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
        t = self.table
        count, oldest = (
            await conn.execute(
                select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None))
            )
        ).one()
        OUTBOX_BACKLOG.set(count)
        OUTBOX_OLDEST_AGE.set((datetime.now(UTC) - oldest).total_seconds() if oldest else 0)
