"""Household use cases."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox
from services.gateway.models.households import Household, HouseholdCreate
from shared.events import HouseholdCreated
from shared.outbox import add_event


async def create_household(session: AsyncSession, data: HouseholdCreate) -> Household:
    async with session.begin():
        household = Household.model_validate(data)
        session.add(household)
        await session.flush()
        await add_event(
            session,
            outbox,
            HouseholdCreated(household_id=household.id, name=household.name, created_at=household.created_at),
        )
    return household
