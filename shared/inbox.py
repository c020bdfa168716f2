"""The processed-event inbox: a consumer records each event id with its effect, in one transaction."""

from uuid import UUID

from sqlalchemy import Column, DateTime, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


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


async def record_many(session: AsyncSession, table: Table, events: list[tuple[UUID, str]]) -> set[UUID]:
    """Record a batch in one statement; returns the ids seen for the first time."""
    if not events:
        return set()
    result = await session.execute(
        insert(table)
        .values([{"event_id": event_id, "event_type": event_type} for event_id, event_type in events])
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(table.c.event_id)
    )
    return {row[0] for row in result}
