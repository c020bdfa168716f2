"""Which member each person of a household is, as a consumer keeps it from person events: the one read
model every service that hides surprises from "whoever is linked to this person" needs."""

from uuid import UUID

from sqlalchemy import Column, Index, MetaData, PrimaryKeyConstraint, Table, delete
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def person_link_table(metadata: MetaData) -> Table:
    return Table(
        "person_link",
        metadata,
        Column("person_id", PGUUID(as_uuid=True), nullable=False),
        Column("household_id", PGUUID(as_uuid=True), nullable=False),
        Column("user_id", PGUUID(as_uuid=True), nullable=False),
        PrimaryKeyConstraint("person_id"),
        Index("ix_person_link_household_id_user_id", "household_id", "user_id"),
    )


async def remember_link(
    session: AsyncSession, table: Table, household_id: UUID, person_id: UUID, user_id: UUID | None
) -> None:
    """The person is now `user_id` (None: nobody)."""
    if user_id is None:
        await session.execute(delete(table).where(table.c.person_id == person_id))
        return
    await session.execute(
        insert(table)
        .values(person_id=person_id, household_id=household_id, user_id=user_id)
        .on_conflict_do_update(index_elements=["person_id"], set_={"user_id": user_id})
    )
