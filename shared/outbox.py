"""The transactional outbox: use cases add events in their own transaction; only the relay publishes.

Every row is numbered (`seq`) by the outbox's insert trigger, under a lock on its aggregate held to the
end of the writing transaction (migrations: "the outbox in commit order"), so along one aggregate's
events `seq` follows commit order. The relay publishes in `seq` order, and each CloudEvent carries its
`seq` as `aggregateversion`: a consumer that depends on order can ignore an event older than one it
has applied.
"""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    FetchedValue,
    Index,
    Insert,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from shared.events import Event
from shared.logging import current_traceparent

SOURCE = "giftflow/gateway"  # a CloudEvent's `source`: the service whose outbox it came from
ORIGIN_TRACE = "origintraceparent"
AGGREGATE_VERSION = (
    "aggregateversion"  # the CloudEvent extension the insert trigger sets from `seq`
)


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        # set by the insert trigger, under the aggregate's lock: the relay's order
        Column("seq", BigInteger, nullable=False, server_default=FetchedValue()),
        Column("topic", Text, nullable=False),
        Column("partition_key", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("cloudevent", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        Index("ix_outbox_unpublished", "seq", postgresql_where=text("published_at IS NULL")),
    )


def to_cloudevent(event: Event, event_id: uuid.UUID, now: datetime, source: str = SOURCE) -> dict:
    """The CloudEvent 1.0 the relay publishes as-is (`application/cloudevents+json`)."""
    cloudevent = {
        "specversion": "1.0",
        "id": str(event_id),
        "source": source,
        "type": event.event_type(),
        "subject": str(event.aggregate_id()),
        "time": now.isoformat(),
        "datacontenttype": "application/json",
        "household": str(event.household_id),
        "data": event.model_dump(mode="json"),
    }
    if traceparent := current_traceparent():
        # Dapr rewrites `traceparent` with the span of the publish call (one per bulk publish), so
        # the request that caused the event travels in an extension of its own as well
        cloudevent[ORIGIN_TRACE] = traceparent
    return cloudevent


def _row(event: Event, now: datetime, source: str) -> dict:
    event_id = uuid.uuid4()
    return {
        "id": event_id,
        "topic": event.topic,
        "partition_key": str(event.aggregate_id()),
        "event_type": event.event_type(),
        "cloudevent": to_cloudevent(event, event_id, now, source),
    }


@cache
def _insert(table: Table) -> Insert:
    """Built once per outbox: every write stages an event through it."""
    return insert(table)


async def add_event(
    session: AsyncSession, table: Table, event: Event, *, source: str = SOURCE
) -> uuid.UUID:
    """Stage `event` in the caller's transaction; it is published only if that transaction commits."""
    row = _row(event, datetime.now(UTC), source)
    await session.execute(_insert(table), row)  # the columns come from the row's keys
    return row["id"]


async def add_events(
    connection: AsyncConnection | AsyncSession,
    table: Table,
    events: Iterable[Event],
    *,
    source: str = SOURCE,
) -> list[uuid.UUID]:
    """Stage a batch of events in the caller's transaction, in one statement."""
    now = datetime.now(UTC)
    rows = [_row(event, now, source) for event in events]
    if rows:
        await connection.execute(insert(table), rows)
    return [row["id"] for row in rows]
