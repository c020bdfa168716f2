"""The recurring processor's other command: a yearly occasion's day is over, and it comes next on
another date. Recorded once per occasion and date, so a repeated request changes nothing."""

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.occasions import Occasion
from services.gateway.models.tasks import OccasionOccurrence, RollOver
from services.gateway.use_cases.occasions import people_of
from shared.errors import InvalidInput, NotFound
from shared.events.tasks import OccasionRolledOver
from shared.outbox import add_event


async def roll_over_occasion(session: AsyncSession, occasion_id: uuid.UUID, data: RollOver) -> bool:
    """Record that a yearly occasion comes next on `data.next_date`; True the first time only."""
    async with session.begin():
        occasion = await session.get(Occasion, occasion_id)
        if occasion is None:
            raise NotFound("No such occasion.")
        if not occasion.recurs_yearly:
            raise InvalidInput("occasion_id", "does not come back every year")
        recorded = await session.scalar(
            insert(OccasionOccurrence)
            .values(
                occasion_id=occasion_id,
                occurs_on=data.next_date,
                previous_date=data.previous_date,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
            .returning(OccasionOccurrence.occasion_id)
        )
        if recorded is None:
            return False
        await add_event(
            session,
            outbox,
            OccasionRolledOver(
                household_id=occasion.household_id,
                occasion_id=occasion.id,
                name=occasion.name,
                kind=occasion.kind,
                previous_date=data.previous_date,
                next_date=data.next_date,
                person_ids=tuple((await people_of(session, [occasion.id]))[occasion.id]),
            ),
        )
        return True
