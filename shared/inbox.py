"""The processed-event inbox: a consumer records each event id with its effect, in one transaction.

An id only needs remembering for as long as its event can be delivered again, so the inbox is pruned
of ids older than INBOX_RETENTION_DAYS (14 by default). That must outlast the Kafka topics' retention:
they keep events 7 days (`retention.ms` in k8s/kafka/topics.yaml, `log.retention.hours=168` for the
local broker in scripts/stack/processes.py) and a consumer group starts from the oldest event kept
(`initialOffset: oldest` in dapr/components/pubsub.yaml), so no redelivery is older than the window.
The dead-letter topics keep 30 days, but what lands there was not handled (barring a reply lost after
its commit), so its id was never recorded: replaying it is its first delivery, not a second.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from uuid import UUID

import structlog
from fastapi import FastAPI
from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    Table,
    Text,
    TextClause,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.worker import BackgroundWorker, running

log = structlog.get_logger()


def processed_event_table(metadata: MetaData) -> Table:
    return Table(
        "processed_event",
        metadata,
        Column("event_id", PGUUID(as_uuid=True), primary_key=True),
        Column("event_type", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def record_once(session: AsyncSession, table: Table, event_id: UUID, event_type: str) -> bool:
    """True the first time an event id is seen; False for a redelivery (which must then do nothing)."""
    result = await session.execute(
        insert(table)
        .values(event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(table.c.event_id)
    )
    return result.first() is not None


@cache
def _record_many(table: Table) -> TextClause:
    # two arrays, one statement text whatever the batch's size: compiled and prepared once, where a
    # VALUES list of n rows is a new statement for every n
    return text(f"""
        INSERT INTO "{table.schema}"."{table.name}" (event_id, event_type)
        SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[]))
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id
    """)


async def record_many(
    session: AsyncSession, table: Table, events: list[tuple[UUID, str]]
) -> set[UUID]:
    """Record a batch in one statement; returns the ids seen for the first time."""
    if not events:
        return set()
    result = await session.execute(
        _record_many(table),
        {"ids": [event_id for event_id, _ in events], "types": [t for _, t in events]},
    )
    return {row[0] for row in result}


async def prune_processed(engine: AsyncEngine, table: Table, before: datetime, limit: int) -> int:
    """Forget up to `limit` ids processed before `before`, in a transaction of their own; how many went.

    Small batches keep each delete's locks and WAL short next to the consumers' inserts; rows another
    replica's pruner holds are skipped, not waited for.
    """
    oldest = (
        select(table.c.event_id)
        .where(table.c.processed_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with engine.begin() as conn:
        result = await conn.execute(
            delete(table).where(table.c.event_id.in_(oldest.scalar_subquery()))
        )
    return result.rowcount


class InboxPruner(BackgroundWorker):
    """Deletes inbox ids older than the retention, batch after batch, then sleeps for the interval."""

    name = "inbox_prune"

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        retention: timedelta,
        interval_s: float,
        batch_size: int = 1000,
    ) -> None:
        super().__init__(poll_interval=interval_s)
        self.engine = engine
        self.table = table
        self.retention = retention
        self.batch_size = batch_size

    async def run_once(self) -> bool:
        pruned = await prune_processed(
            self.engine, self.table, datetime.now(UTC) - self.retention, self.batch_size
        )
        if pruned:
            log.info("inbox.pruned", rows=pruned)
        return pruned >= self.batch_size  # a full batch: there are probably more


@asynccontextmanager
async def keep_inbox_pruned(app: FastAPI, table: Table) -> AsyncIterator[None]:
    """Run an InboxPruner for the app's lifetime, as its ConsumerSettings say."""
    settings = app.state.settings
    pruner = InboxPruner(
        app.state.engine,
        table,
        timedelta(days=settings.inbox_retention_days),
        settings.inbox_prune_interval_s,
    )
    async with running(pruner):
        yield
