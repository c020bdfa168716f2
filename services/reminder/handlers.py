"""Event handlers: plain async functions routed by event type. Each runs in the batch's transaction,
next to the inbox row that makes a redelivery a no-op."""

from sqlalchemy.ext.asyncio import AsyncSession

from shared.consumer import Envelope, Handler
from shared.events import HouseholdCreated


async def note_household_created(session: AsyncSession, envelope: Envelope) -> None:
    """Nothing to do yet beyond the inbox record: a new household has no members to reach."""


HANDLERS: dict[str, Handler] = {HouseholdCreated.event_type(): note_household_created}
