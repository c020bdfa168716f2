"""Household use cases: create (the creator becomes its admin), list mine, read, update."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox
from services.gateway.models.accounts import UserAccount
from services.gateway.models.households import (
    Household,
    HouseholdCreate,
    HouseholdUpdate,
    Member,
    Membership,
    MyHousehold,
    Role,
)
from shared.errors import NotFound
from shared.events.household import HouseholdCreated, HouseholdUpdated
from shared.outbox import add_event
from shared.sealed import sealed_address


async def create_household(
    session: AsyncSession, user_id: uuid.UUID, data: HouseholdCreate, mail_secret: str | None = None
) -> MyHousehold:
    """`mail_secret` seals the creator's address into the event, for the mail channel alone."""
    async with session.begin():
        creator = await session.get(UserAccount, user_id)
        if creator is None:
            raise NotFound("This account no longer exists; please sign in again.")
        household = Household.model_validate(data)
        session.add(household)
        await session.flush()
        session.add(
            Membership(
                household_id=household.id,
                user_id=user_id,
                role=Role.ADMIN,
                joined_at=household.created_at,
            )
        )
        await add_event(
            session,
            outbox,
            HouseholdCreated(
                household_id=household.id,
                actor_id=user_id,
                name=household.name,
                timezone=household.timezone,
                created_at=household.created_at,
                creator_display_name=creator.display_name,
                sealed_creator_address=sealed_address(mail_secret, creator.email),
            ),
        )
    return MyHousehold.model_validate({**household.model_dump(), "role": Role.ADMIN})


async def list_households(session: AsyncSession, user_id: uuid.UUID) -> list[MyHousehold]:
    async with session.begin():
        rows = await session.execute(
            select(Household, Membership.role)
            .join(Membership, Membership.household_id == Household.id)
            .where(Membership.user_id == user_id)
            .order_by(func.lower(Household.name), Household.id)
        )
        return [
            MyHousehold.model_validate({**h.model_dump(), "role": role}) for h, role in rows.all()
        ]


async def get_household(session: AsyncSession, member: Member) -> MyHousehold:
    async with session.begin():
        household = await session.get_one(Household, member.household_id)
    return MyHousehold.model_validate({**household.model_dump(), "role": member.role})


async def update_household(
    session: AsyncSession, admin: Member, data: HouseholdUpdate
) -> MyHousehold:
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    async with session.begin():
        household = await session.get_one(Household, admin.household_id, with_for_update=True)
        changed = tuple(sorted(k for k, v in changes.items() if getattr(household, k) != v))
        for field in changed:
            setattr(household, field, changes[field])
        if changed:
            await add_event(
                session,
                outbox,
                HouseholdUpdated(
                    household_id=household.id,
                    actor_id=admin.user_id,
                    name=household.name,
                    timezone=household.timezone,
                    changed=changed,
                ),
            )
    return MyHousehold.model_validate({**household.model_dump(), "role": admin.role})
