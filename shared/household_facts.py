"""What the consumers keep of households from their events, a run of events at a time
(`shared.consumer.Together`): each household's time zone, and pairs of household and member."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared import set_writes
from shared.consumer import Envelope


async def keep_time_zones(session: AsyncSession, table: Table, envelopes: list[Envelope]) -> None:
    """Each household's time zone, as its created or updated events say (the last one wins), in a
    table of `id` and `timezone`."""
    await set_writes.upsert(
        session,
        table,
        [{"id": e.event.household_id, "timezone": e.event.timezone} for e in envelopes],
        key=["id"],
        update=["timezone"],
    )


def member_rows(envelopes: list[Envelope]) -> list[dict[str, Any]]:
    """The household and the member each event is about (member joined or removed)."""
    return [{"household_id": e.event.household_id, "user_id": e.event.user_id} for e in envelopes]


MEMBER_KEY = ("household_id", "user_id")
