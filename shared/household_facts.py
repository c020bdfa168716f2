"""What the consumers keep of households from their events, a run of events at a time
(`shared.consumer.Together`): each household's time zone, and pairs of household and member."""

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared import set_writes
from shared.consumer import Envelope
from shared.events.household import (
    HouseholdCreated,
    HouseholdUpdated,
    MemberJoined,
    MemberRemoved,
)


async def keep_time_zones(session: AsyncSession, table: Table, envelopes: list[Envelope]) -> None:
    """Each household's time zone, as its created or updated events say (the last one wins), in a
    table of `id` and `timezone`."""
    events = cast(list[HouseholdCreated | HouseholdUpdated], [e.event for e in envelopes])
    await set_writes.upsert(
        session,
        table,
        [{"id": e.household_id, "timezone": e.timezone} for e in events],
        key=["id"],
        update=["timezone"],
    )


def member_rows(envelopes: list[Envelope]) -> list[dict[str, Any]]:
    """The household and the member each event is about (member joined or removed)."""
    events = cast(list[MemberJoined | MemberRemoved], [e.event for e in envelopes])
    return [{"household_id": e.household_id, "user_id": e.user_id} for e in events]


MEMBER_KEY = ("household_id", "user_id")
