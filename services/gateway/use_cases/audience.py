"""The facts the surprise rules need, read from the database: who is looking, and what lists and
gifts are about whom. Reads only; the rules themselves are in `services.gateway.surprise`."""

import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.gifts import Gift
from services.gateway.models.households import Member, Membership, Role
from services.gateway.models.lists import GiftList
from services.gateway.models.people import Person
from services.gateway.surprise import GiftFacts, ListFacts, Viewer
from services.gateway.use_cases.row_facts import GIFT_FACTS_COLUMNS, GIFT_FACTS_SQL, gift_facts_from


async def load_viewer(session: AsyncSession, member: Member) -> Viewer:
    person_ids = member.person_ids
    if person_ids is None:
        person_ids = await session.scalars(
            select(Person.id).where(
                Person.household_id == member.household_id, Person.linked_user_id == member.user_id
            )
        )
    return Viewer(
        user_id=member.user_id, is_child=member.role == Role.CHILD, person_ids=frozenset(person_ids)
    )


# Statements asked by (nearly) every write are built once, their values bound per call: composing a
# select through the ORM cost more CPU than running it.
_HOUSEHOLD_VIEWERS = select(
    Membership.user_id,
    Membership.role,
    select(func.array_agg(Person.id))
    .where(
        Person.household_id == Membership.household_id,
        Person.linked_user_id == Membership.user_id,
    )
    .scalar_subquery(),
).where(Membership.household_id == bindparam("household_id"))
_GIFTS_FACTS = text(f"""
    SELECT g.id, g.from_santa, g.created_by, {GIFT_FACTS_COLUMNS}
      FROM gateway.gift g
      {GIFT_FACTS_SQL}
     WHERE g.id = ANY(CAST(:ids AS uuid[]))
""")


async def household_viewers(session: AsyncSession, household_id: uuid.UUID) -> list[Viewer]:
    """Every member of the household as the rules see them: whom an event must be hidden from.
    One statement: every write that stages an event asks it."""
    members = (await session.execute(_HOUSEHOLD_VIEWERS, {"household_id": household_id})).all()
    return [
        Viewer(user_id=user_id, is_child=role == Role.CHILD, person_ids=frozenset(people or ()))
        for user_id, role, people in members
    ]


def list_facts(lst: GiftList) -> ListFacts:
    return ListFacts(
        owner_person_id=lst.person_id,
        kind=lst.kind,
        visibility=lst.visibility,
        created_by=lst.created_by,
    )


async def lists_facts(
    session: AsyncSession, list_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, ListFacts]:
    ids = set(list_ids)
    if not ids:
        return {}
    lists = await session.scalars(select(GiftList).where(GiftList.id.in_(ids)))
    return {lst.id: list_facts(lst) for lst in lists}


async def gifts_facts(
    session: AsyncSession, gifts_or_ids: Iterable[Gift | uuid.UUID]
) -> dict[uuid.UUID, GiftFacts]:
    """Whom each gift is for (linked recipients and the people whose lists it is on), and its lists,
    in one statement.

    Pass the Gift rows a use case has already loaded rather than their ids: what they say (Santa, the
    creator) is taken from them, as the use case holds them.
    """
    loaded: dict[uuid.UUID, Gift] = {}
    ids: set[uuid.UUID] = set()
    for gift in gifts_or_ids:
        if isinstance(gift, Gift):
            loaded[gift.id] = gift
            ids.add(gift.id)
        else:
            ids.add(gift)
    if not ids:
        return {}
    # through the session, which writes what the use case changed so far (a list item, a recipient)
    # first: whom an event is hidden from must count it
    facts = {}
    for row in (await session.execute(_GIFTS_FACTS, {"ids": list(ids)})).all():
        gift = loaded.get(row.id)
        facts[row.id] = gift_facts_from(
            gift.from_santa if gift is not None else row.from_santa,
            gift.created_by if gift is not None else row.created_by,
            *row[3:],
        )
    for gift_id, gift in loaded.items():  # one deleted already is on no list and linked to no one
        if gift_id not in facts:
            facts[gift_id] = gift_facts_from(gift.from_santa, gift.created_by, *(None,) * 5)
    return facts


async def gift_facts(session: AsyncSession, gift: Gift | uuid.UUID) -> GiftFacts:
    return (await gifts_facts(session, [gift]))[gift.id if isinstance(gift, Gift) else gift]
