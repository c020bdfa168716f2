"""People use cases: the household's recipients, some of them members."""

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.households import Member, Membership
from services.gateway.models.people import Person, PersonCreate, PersonPublic, PersonUpdate
from services.gateway.use_cases.scoped import get_own, require_grown_up
from shared.errors import Conflict, InvalidInput
from shared.events.gifting import PersonCreated, PersonDeleted, PersonUpdated
from shared.outbox import add_event
from shared.pages import Page, PageRequest, fetch_page


def contains(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, with its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def _check_link(
    session: AsyncSession, member: Member, person_id: uuid.UUID | None, user_id: uuid.UUID | None
) -> None:
    if user_id is None:
        return
    if not await session.scalar(
        select(Membership.user_id).where(
            Membership.household_id == member.household_id, Membership.user_id == user_id
        )
    ):
        raise InvalidInput("linked_user_id", "is not a member of this household")
    other = await session.scalar(
        select(Person.name).where(
            Person.household_id == member.household_id,
            Person.linked_user_id == user_id,
            Person.id != person_id,
        )
    )
    if other is not None:
        raise Conflict(
            f"That member is already linked to {other}; a member can be only one person."
        )


async def create_person(session: AsyncSession, member: Member, data: PersonCreate) -> Person:
    require_grown_up(member, "add people")
    try:
        async with session.begin():
            await _check_link(session, member, None, data.linked_user_id)
            person = Person.model_validate(
                data, update={"household_id": member.household_id, "created_by": member.user_id}
            )
            session.add(person)
            await session.flush()
            await add_event(
                session,
                outbox,
                PersonCreated(
                    household_id=member.household_id,
                    actor_id=member.user_id,
                    person_id=person.id,
                    name=person.name,
                    linked_user_id=person.linked_user_id,
                ),
            )
    except IntegrityError:  # two links of one member at once: the unique index decided
        raise Conflict("That member is already linked to another person.") from None
    return person


async def list_people(
    session: AsyncSession, member: Member, page: PageRequest, q: str | None = None
) -> Page[PersonPublic]:
    query = select(Person).where(Person.household_id == member.household_id)
    if q:
        query = query.where(Person.name.ilike(contains(q)))

    async def shape(rows: list[Person]) -> list[PersonPublic]:
        return [PersonPublic.model_validate(p) for p in rows]

    async with session.begin():
        return await fetch_page(session, query, (Person.name, Person.id), page, shape)


async def get_person(session: AsyncSession, member: Member, person_id: uuid.UUID) -> Person:
    async with session.begin():
        return await get_own(session, Person, member, person_id, "person")


async def update_person(
    session: AsyncSession, member: Member, person_id: uuid.UUID, data: PersonUpdate
) -> Person:
    require_grown_up(member, "change people")
    changes = data.model_dump(exclude_unset=True)
    try:
        async with session.begin():
            person = await get_own(session, Person, member, person_id, "person", lock=True)
            if "linked_user_id" in changes:
                await _check_link(session, member, person.id, changes["linked_user_id"])
            for field in ("name", "interests", "sizes"):
                if field in changes and changes[field] is None:
                    raise InvalidInput(field, "can be changed but not emptied to null")
            person.sqlmodel_update(changes)
            person.updated_at = utcnow()
            await session.flush()
            await add_event(
                session,
                outbox,
                PersonUpdated(
                    household_id=member.household_id,
                    actor_id=member.user_id,
                    person_id=person.id,
                    name=person.name,
                    linked_user_id=person.linked_user_id,
                ),
            )
    except IntegrityError:
        raise Conflict("That member is already linked to another person.") from None
    return person


async def delete_person(session: AsyncSession, member: Member, person_id: uuid.UUID) -> None:
    """Deletes the person with their lists, links and budgets (consumers take person.deleted to mean all)."""
    require_grown_up(member, "remove people")
    async with session.begin():
        person = await get_own(session, Person, member, person_id, "person", lock=True)
        await session.delete(person)
        await add_event(
            session,
            outbox,
            PersonDeleted(
                household_id=member.household_id,
                actor_id=member.user_id,
                person_id=person.id,
            ),
        )
