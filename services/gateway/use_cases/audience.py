"""The facts the surprise rules need, read from the database: who is looking, and what lists and
gifts are about whom. Reads only; the rules themselves are in `services.gateway.surprise`."""

import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.gifts import Gift, GiftPerson, GiftRole
from services.gateway.models.households import Member, Membership, Role
from services.gateway.models.lists import GiftList, ListItem
from services.gateway.models.people import Person
from services.gateway.surprise import GiftFacts, ListFacts, Viewer


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
_GIFTS = select(Gift.id, Gift.from_santa, Gift.created_by).where(
    Gift.id.in_(bindparam("ids", expanding=True))
)
_RECIPIENTS = select(GiftPerson.gift_id, GiftPerson.person_id).where(
    GiftPerson.gift_id.in_(bindparam("ids", expanding=True)),
    GiftPerson.role == GiftRole.RECIPIENT,
)
_LISTS_OF_GIFTS = (
    select(ListItem.gift_id, GiftList)
    .join(GiftList, GiftList.id == ListItem.list_id)
    .where(ListItem.gift_id.in_(bindparam("ids", expanding=True)))
)


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
    """Whom each gift is for (linked recipients and the people whose lists it is on), and its lists.

    Pass the Gift rows a use case has already loaded rather than their ids: what they say is not read again.
    """
    gifts: dict[uuid.UUID, tuple[bool, uuid.UUID]] = {}
    unread = set()
    for gift in gifts_or_ids:
        if isinstance(gift, Gift):
            gifts[gift.id] = (gift.from_santa, gift.created_by)
        else:
            unread.add(gift)
    if unread - gifts.keys():
        gifts.update(
            {
                gift_id: (from_santa, created_by)
                for gift_id, from_santa, created_by in (
                    await session.execute(_GIFTS, {"ids": list(unread - gifts.keys())})
                ).all()
            }
        )
    ids = set(gifts)
    if not ids:
        return {}
    recipients: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for gift_id, person_id in (await session.execute(_RECIPIENTS, {"ids": list(ids)})).all():
        recipients[gift_id].add(person_id)
    lists: dict[uuid.UUID, list[ListFacts]] = defaultdict(list)
    for gift_id, lst in (await session.execute(_LISTS_OF_GIFTS, {"ids": list(ids)})).all():
        lists[gift_id].append(list_facts(lst))
        recipients[gift_id].add(lst.person_id)
    return {
        gift_id: GiftFacts(
            recipient_person_ids=frozenset(recipients[gift_id]),
            from_santa=from_santa,
            lists=tuple(lists[gift_id]),
            created_by=created_by,
        )
        for gift_id, (from_santa, created_by) in gifts.items()
    }


async def gift_facts(session: AsyncSession, gift: Gift | uuid.UUID) -> GiftFacts:
    return (await gifts_facts(session, [gift]))[gift.id if isinstance(gift, Gift) else gift]
