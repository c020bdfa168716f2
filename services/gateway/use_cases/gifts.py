"""Gift use cases: gifts, their tags and the people linked to them; search by text, tag, person, status."""

import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.gifts import (
    Gift,
    GiftCreate,
    GiftPerson,
    GiftPersonLink,
    GiftPublic,
    GiftRole,
    GiftTag,
    GiftUpdate,
    Tag,
)
from services.gateway.models.households import Member, Role
from services.gateway.models.people import Person
from services.gateway.surprise import GiftFacts, View, Viewer, gift_hidden, gift_view, present_gift
from services.gateway.use_cases.audience import (
    gift_facts,
    household_viewers,
    load_viewer,
)
from services.gateway.use_cases.scoped import require_not_recipient, visible_gift
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.gifting import GiftCreated, GiftDeleted, GiftUpdated
from shared.outbox import add_event


def check_price(price, currency) -> None:
    if price is not None and currency is None:
        raise InvalidInput("currency", "is needed with a price (an ISO 4217 code like EUR)")


async def tags_of(
    session: AsyncSession, gift_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    tags = defaultdict(list)
    rows = await session.execute(
        select(GiftTag.gift_id, Tag.name)
        .join(Tag, Tag.id == GiftTag.tag_id)
        .where(GiftTag.gift_id.in_(list(gift_ids)))
        .order_by(Tag.name)
    )
    for gift_id, name in rows.all():
        tags[gift_id].append(name)
    return tags


async def people_of(
    session: AsyncSession, gift_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[GiftPersonLink]]:
    people = defaultdict(list)
    rows = await session.execute(
        select(GiftPerson.gift_id, GiftPerson.person_id, GiftPerson.role)
        .where(GiftPerson.gift_id.in_(list(gift_ids)))
        .order_by(GiftPerson.created_at, GiftPerson.person_id)
    )
    for gift_id, person_id, role in rows.all():
        people[gift_id].append(GiftPersonLink(person_id=person_id, role=role))
    return people


async def present_gifts(
    session: AsyncSession, viewer: Viewer, gifts: list[Gift], facts: dict[uuid.UUID, GiftFacts]
) -> list[GiftPublic | None]:
    """The gifts as `viewer` may see them; None where they may not."""
    views = {g.id: gift_view(viewer, facts[g.id]) for g in gifts}
    shown = [g.id for g in gifts if views[g.id] is not View.HIDDEN]
    tags, people = await tags_of(session, shown), await people_of(session, shown)
    return [
        None
        if views[g.id] is View.HIDDEN
        else present_gift(viewer, views[g.id], g, tags[g.id], people[g.id])
        for g in gifts
    ]


async def present_one(
    session: AsyncSession, viewer: Viewer, gift: Gift, facts: GiftFacts | None = None
) -> GiftPublic:
    """`facts`: the gift's, if read in this transaction with nothing changed since (saves reading them again)."""
    [shown] = await present_gifts(
        session, viewer, [gift], {gift.id: facts or await gift_facts(session, gift)}
    )
    return shown


# a gift's surprise facts, its links to people and its tags, as a use case holds them after a change
HeldFacts = tuple[GiftFacts, list[GiftPersonLink], list[str]]


async def _set_tags(
    session: AsyncSession,
    member: Member,
    gift_id: uuid.UUID,
    names: list[str],
    *,
    new: bool = False,
) -> list[str]:
    """The gift's tags become `names` (the household's tags made as needed); the names as stored.
    A `new` gift has none to take away."""
    if not new:
        await session.execute(delete(GiftTag).where(GiftTag.gift_id == gift_id))
    names = sorted(set(names))
    if not names:
        return names
    # the tags that are new and those already there, and the gift's links to them, in one statement
    await session.execute(
        SET_TAGS,
        {
            "gift_id": gift_id,
            "household_id": member.household_id,
            "ids": [uuid.uuid4() for _ in names],
            "names": names,
        },
    )
    return names


SET_TAGS = text("""
WITH wanted AS (
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:names AS text[])) AS w(id, name)
), made AS (
    INSERT INTO gateway.tag (id, household_id, name, created_at)
    SELECT id, CAST(:household_id AS uuid), name, now() FROM wanted
    ON CONFLICT (household_id, name) DO NOTHING
    RETURNING id
)
INSERT INTO gateway.gift_tag (gift_id, tag_id)
SELECT CAST(:gift_id AS uuid), id FROM made
UNION
SELECT CAST(:gift_id AS uuid), t.id FROM gateway.tag t
 WHERE t.household_id = CAST(:household_id AS uuid) AND t.name = ANY(CAST(:names AS text[]))
""")


async def gift_event(
    session: AsyncSession,
    member: Member,
    gift: Gift,
    event_type=GiftUpdated,
    *,
    held: HeldFacts | None = None,
    viewers: list[Viewer] | None = None,
) -> None:
    """The gift's current facts, hidden from everyone who does not see it in full. `held`: its facts,
    links and tags as the use case already knows them (not read again); `viewers`: the household's."""
    if held is None:
        facts = await gift_facts(session, gift)
        links = (await people_of(session, [gift.id]))[gift.id]
        tags = (await tags_of(session, [gift.id]))[gift.id]
    else:
        facts, links, tags = held
    if viewers is None:
        viewers = await household_viewers(session, member.household_id)
    await add_event(
        session,
        outbox,
        event_type(
            household_id=member.household_id,
            actor_id=member.user_id,
            **gift_hidden(viewers, facts).fields,
            gift_id=gift.id,
            title=gift.title,
            price=gift.price,
            currency=gift.currency,
            tags=tuple(tags),
            recipient_person_ids=tuple(
                sorted({p.person_id for p in links if p.role == GiftRole.RECIPIENT}, key=str)
            ),
            from_santa=gift.from_santa,
        ),
    )


async def add_gift(
    session: AsyncSession,
    member: Member,
    viewer: Viewer,
    data: GiftCreate,
    *,
    announce: bool = True,
) -> tuple[Gift, HeldFacts]:
    """Inside the caller's transaction: the gift, its tags and recipients, and gift.created (unless the
    caller announces it once the gift is on its list, when whom to hide it from is known); with what
    the gift now is, so that neither the event nor the answer reads it back."""
    check_price(data.price, data.currency)
    recipients = sorted(set(data.recipient_ids))
    if recipients:
        found = set(
            await session.scalars(
                select(Person.id).where(
                    Person.household_id == member.household_id, Person.id.in_(recipients)
                )
            )
        )
        if missing := [str(p) for p in recipients if p not in found]:
            raise InvalidInput(
                "recipient_ids", f"not people of this household: {', '.join(missing)}"
            )
        if viewer.person_ids & set(recipients):
            raise InvalidInput(
                "recipient_ids", "a gift for yourself goes on your wish list; add it there instead"
            )
    gift = Gift.model_validate(
        data.model_dump(exclude={"tags", "recipient_ids"}),
        update={
            "household_id": member.household_id,
            "created_by": member.user_id,
            "notes_by": member.user_id if data.notes else None,
        },
    )
    session.add(gift)
    await session.flush()
    tags = await _set_tags(session, member, gift.id, data.tags, new=True)
    if recipients:
        await session.execute(
            insert(GiftPerson),
            [
                {
                    "gift_id": gift.id,
                    "person_id": p,
                    "role": GiftRole.RECIPIENT,
                    "created_at": utcnow(),
                }
                for p in recipients
            ],
        )
    held = new_gift_facts(gift, recipients, tags)
    if announce:
        await gift_event(session, member, gift, GiftCreated, held=held)
    return gift, held


def new_gift_facts(gift: Gift, recipients: list[uuid.UUID], tags: list[str]) -> HeldFacts:
    """What a gift just made is, from what made it: on no list yet, for `recipients`, with `tags`."""
    links = [GiftPersonLink(person_id=p, role=GiftRole.RECIPIENT) for p in recipients]
    facts = GiftFacts(
        recipient_person_ids=frozenset(recipients),
        from_santa=gift.from_santa,
        created_by=gift.created_by,
    )
    return facts, links, tags


async def create_gift(session: AsyncSession, member: Member, data: GiftCreate) -> GiftPublic:
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, (facts, links, tags) = await add_gift(session, member, viewer, data)
        return present_gift(viewer, gift_view(viewer, facts), gift, tags, links)


async def update_gift(
    session: AsyncSession, member: Member, gift_id: uuid.UUID, data: GiftUpdate
) -> GiftPublic:
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and changes["title"] is None:
        raise InvalidInput("title", "can be changed but not emptied to null")
    if "from_santa" in changes and changes["from_santa"] is None:
        raise InvalidInput("from_santa", "is true or false")
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, _, view = await visible_gift(session, member, viewer, gift_id, lock=True)
        if view is View.REDACTED and "from_santa" in changes:
            raise Forbidden("Who a gift for you is from is up to the givers.")
        tags = changes.pop("tags", None)
        if "notes" in changes:
            changes["notes_by"] = member.user_id if changes["notes"] else None
        gift.sqlmodel_update(changes)
        check_price(gift.price, gift.currency)
        gift.updated_at = utcnow()
        await session.flush()
        if tags is not None:
            await _set_tags(session, member, gift.id, tags)
        await gift_event(session, member, gift)
        return await present_one(session, viewer, gift)


async def delete_gift(session: AsyncSession, member: Member, gift_id: uuid.UUID) -> None:
    """Deletes the gift with its list items, claims, pledges and comments."""
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, facts, view = await visible_gift(session, member, viewer, gift_id, lock=True)
        if (
            view is View.REDACTED
        ):  # it may also sit on lists planned for them, which they must not undo
            raise Forbidden("A gift for you stays; take it off your wish list instead.")
        if member.role == Role.CHILD and gift.created_by != member.user_id:
            raise Forbidden("Only the grown-ups, or the member who added it, can delete this gift.")
        viewers = await household_viewers(session, member.household_id)
        await session.delete(gift)
        await add_event(
            session,
            outbox,
            GiftDeleted(
                household_id=member.household_id,
                actor_id=member.user_id,
                gift_id=gift.id,
                **gift_hidden(viewers, facts).fields,
            ),
        )


async def link_person(
    session: AsyncSession, member: Member, gift_id: uuid.UUID, link: GiftPersonLink
) -> GiftPublic:
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, _, view = await visible_gift(session, member, viewer, gift_id, lock=True)
        if link.role != GiftRole.RECIPIENT:
            require_not_recipient(view, "say who gives")
        elif view is View.FULL and link.person_id in viewer.person_ids:
            raise InvalidInput(
                "person_id", "a gift for yourself goes on your wish list; add it there instead"
            )
        if not await session.scalar(
            select(Person.id).where(
                Person.id == link.person_id, Person.household_id == member.household_id
            )
        ):
            raise InvalidInput("person_id", "is not a person of this household")
        added = await session.scalar(
            insert(GiftPerson)
            .values(gift_id=gift.id, person_id=link.person_id, role=link.role, created_at=utcnow())
            .on_conflict_do_nothing()
            .returning(GiftPerson.person_id)
        )
        if added is None:
            raise Conflict(f"That person is already linked to this gift as {link.role}.")
        await gift_event(session, member, gift)
        return await present_one(session, viewer, gift)


async def unlink_person(
    session: AsyncSession, member: Member, gift_id: uuid.UUID, person_id: uuid.UUID, role: GiftRole
) -> None:
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, _, view = await visible_gift(session, member, viewer, gift_id, lock=True)
        if view is View.REDACTED and role != GiftRole.RECIPIENT:
            raise NotFound("No such person linked to this gift.")  # they cannot see who gives
        removed = await session.scalar(
            delete(GiftPerson)
            .where(
                GiftPerson.gift_id == gift.id,
                GiftPerson.person_id == person_id,
                GiftPerson.role == role,
            )
            .returning(GiftPerson.person_id)
        )
        if removed is None:
            raise NotFound("No such person linked to this gift.")
        await gift_event(session, member, gift)
