"""Occasion use cases, and when a yearly occasion comes next."""

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.households import Household, Member
from services.gateway.models.occasions import (
    Occasion,
    OccasionCreate,
    OccasionPerson,
    OccasionPublic,
    OccasionUpdate,
)
from services.gateway.models.people import Person
from services.gateway.use_cases.scoped import get_own, require_grown_up
from shared.errors import InvalidInput
from shared.events.gifting import OccasionCreated, OccasionDeleted, OccasionUpdated
from shared.outbox import add_event


def in_year(date: dt.date, year: int) -> dt.date:
    """The day a yearly occasion first on `date` comes in `year`: 29 February on the 28th in other years."""
    try:
        return date.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def next_occurrence(date: dt.date, recurs_yearly: bool, today: dt.date) -> dt.date | None:
    """The next time the occasion comes, today included; 29 February falls on the 28th in other years."""
    if not recurs_yearly:
        return date if date >= today else None
    for year in (today.year, today.year + 1):
        candidate = in_year(date, year)
        if candidate >= max(today, date):
            return candidate
    return date  # a first date still ahead, more than a year from now


def last_occurrence(date: dt.date, recurs_yearly: bool, today: dt.date) -> dt.date | None:
    """The last time the occasion came before today (its day over); none if it has not come yet."""
    if not recurs_yearly:
        return date if date < today else None
    for year in (today.year, today.year - 1):
        candidate = in_year(date, year)
        if date <= candidate < today:
            return candidate
    return None  # the first date is today or still ahead


def nearest_occurrence(date: dt.date, recurs_yearly: bool, today: dt.date) -> dt.date:
    """The time the occasion comes nearest to today, before or after (the one before when both are as
    near): the occasion a gift handed over today was for."""
    before = last_occurrence(date, recurs_yearly, today)
    after = next_occurrence(date, recurs_yearly, today)
    if before is None or after is None:
        return after or before or date
    return before if today - before <= after - today else after


async def people_of(
    session: AsyncSession, occasion_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    ids = list(occasion_ids)
    people = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(OccasionPerson.occasion_id, OccasionPerson.person_id)
            .where(OccasionPerson.occasion_id.in_(ids))
            .order_by(OccasionPerson.person_id)
        )
        for occasion_id, person_id in rows.all():
            people[occasion_id].append(person_id)
    return people


async def household_today(session: AsyncSession, household_id: uuid.UUID) -> dt.date:
    """Today where the household lives: what "upcoming" and "next" are measured from."""
    timezone = await session.scalar(select(Household.timezone).where(Household.id == household_id))
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone or "UTC")).date()


def to_public(occasion: Occasion, person_ids: list[uuid.UUID], today: dt.date) -> OccasionPublic:
    return OccasionPublic.model_validate(
        occasion,
        update={
            "person_ids": person_ids,
            "next_date": next_occurrence(occasion.date, occasion.recurs_yearly, today),
        },
    )


async def _set_people(
    session: AsyncSession, member: Member, occasion_id: uuid.UUID, person_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    wanted = sorted(set(person_ids))
    if wanted:
        found = set(
            await session.scalars(
                select(Person.id).where(
                    Person.household_id == member.household_id, Person.id.in_(wanted)
                )
            )
        )
        if missing := [str(p) for p in wanted if p not in found]:
            raise InvalidInput("person_ids", f"not people of this household: {', '.join(missing)}")
    await session.execute(delete(OccasionPerson).where(OccasionPerson.occasion_id == occasion_id))
    if wanted:
        await session.execute(
            insert(OccasionPerson), [{"occasion_id": occasion_id, "person_id": p} for p in wanted]
        )
    return wanted


def _facts(member: Member, occasion: Occasion, person_ids: list[uuid.UUID]) -> dict:
    return dict(
        household_id=member.household_id,
        actor_id=member.user_id,
        occasion_id=occasion.id,
        name=occasion.name,
        kind=occasion.kind,
        date=occasion.date,
        recurs_yearly=occasion.recurs_yearly,
        person_ids=tuple(person_ids),
    )


async def create_occasion(
    session: AsyncSession, member: Member, data: OccasionCreate
) -> OccasionPublic:
    require_grown_up(member, "add occasions")
    async with session.begin():
        occasion = Occasion.model_validate(
            data.model_dump(exclude={"person_ids"}),
            update={"household_id": member.household_id, "created_by": member.user_id},
        )
        session.add(occasion)
        await session.flush()
        person_ids = await _set_people(session, member, occasion.id, data.person_ids)
        await add_event(session, outbox, OccasionCreated(**_facts(member, occasion, person_ids)))
        return to_public(occasion, person_ids, await household_today(session, member.household_id))


async def update_occasion(
    session: AsyncSession, member: Member, occasion_id: uuid.UUID, data: OccasionUpdate
) -> OccasionPublic:
    require_grown_up(member, "change occasions")
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "kind", "date", "recurs_yearly", "person_ids"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "can be changed but not emptied to null")
    async with session.begin():
        occasion = await get_own(session, Occasion, member, occasion_id, "occasion", lock=True)
        if "person_ids" in changes:
            person_ids = await _set_people(session, member, occasion.id, changes.pop("person_ids"))
        else:
            person_ids = (await people_of(session, [occasion.id]))[occasion.id]
        occasion.sqlmodel_update(changes)
        occasion.updated_at = utcnow()
        await session.flush()
        await add_event(session, outbox, OccasionUpdated(**_facts(member, occasion, person_ids)))
        return to_public(occasion, person_ids, await household_today(session, member.household_id))


async def delete_occasion(session: AsyncSession, member: Member, occasion_id: uuid.UUID) -> None:
    require_grown_up(member, "remove occasions")
    async with session.begin():
        occasion = await get_own(session, Occasion, member, occasion_id, "occasion", lock=True)
        await session.delete(occasion)
        await add_event(
            session,
            outbox,
            OccasionDeleted(
                household_id=member.household_id,
                actor_id=member.user_id,
                occasion_id=occasion.id,
            ),
        )
