"""List item use cases: gifts on lists, how many are wanted, and the status pipeline
idea → selected → purchased → wrapped → given (given: into its recipients' history at once)."""

import uuid

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.claims import Claim
from services.gateway.models.gifts import Gift, GiftPerson, GiftPersonLink, GiftRole
from services.gateway.models.households import Member, Role
from services.gateway.models.lists import (
    PRIORITY_OF_RANK,
    PRIORITY_RANK,
    GiftList,
    ItemStatus,
    ListItem,
    ListItemCreate,
    ListItemPublic,
    ListItemUpdate,
    ListKind,
    Priority,
)
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.surprise import (
    GiftFacts,
    Hidden,
    View,
    Viewer,
    hidden,
    item_view,
    present_item,
)
from services.gateway.use_cases.audience import (
    gift_facts,
    gifts_facts,
    household_viewers,
    list_facts,
    load_viewer,
)
from services.gateway.use_cases.gifts import add_gift, gift_event
from services.gateway.use_cases.scoped import (
    require_not_recipient,
    visible_gift,
    visible_item,
    visible_list,
)
from services.gateway.use_cases.wrap_up import record_given_item
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.events.gifting import (
    ClaimRemoved,
    GiftCreated,
    GiftUpdated,
    ListItemAdded,
    ListItemRemoved,
    ListItemStatusChanged,
    ListItemUpdated,
)
from shared.outbox import add_event

# forward one step at a time; back one step to undo a slip; given is final
TRANSITIONS: dict[ItemStatus, tuple[ItemStatus, ...]] = {
    ItemStatus.IDEA: (ItemStatus.SELECTED,),
    ItemStatus.SELECTED: (ItemStatus.PURCHASED, ItemStatus.IDEA),
    ItemStatus.PURCHASED: (ItemStatus.WRAPPED, ItemStatus.SELECTED),
    ItemStatus.WRAPPED: (ItemStatus.GIVEN, ItemStatus.PURCHASED),
    ItemStatus.GIVEN: (),
}
BOUGHT = (ItemStatus.PURCHASED, ItemStatus.WRAPPED, ItemStatus.GIVEN)
# adding, removing or re-counting a wish is no surprise to the person who wished it
WISH_SEEN = (View.FULL, View.REDACTED)


def check_transition(current: ItemStatus, new: ItemStatus) -> None:
    """Refuse a move the pipeline does not allow, naming the moves it does."""
    allowed = TRANSITIONS[current]
    if new not in allowed:
        nexts = " or ".join(s.value for s in allowed) or "nothing (it is final)"
        raise Conflict(
            f"An item that is {current.value} cannot become {new.value}; it can become {nexts}.",
            {"status": current.value, "allowed": [s.value for s in allowed]},
        )


def check_priority_setter(viewer: Viewer, lst: GiftList, wisher: uuid.UUID | None) -> None:
    """How much a wish is wanted is the wisher's to say: on a wish list for a member (`wisher`), only
    they set it. Givers then never rank someone's wishes for them, and a wisher never sees a ranking
    change that came from a giver. Idea lists, and wish lists for people who are not members (a
    toddler, a grandparent without an account), are ranked by whoever keeps them."""
    if lst.kind == ListKind.WISH and wisher is not None and wisher != viewer.user_id:
        raise Forbidden("How much a wish is wanted is for the person who wished it to say.")


async def wisher_of(session: AsyncSession, lst: GiftList) -> uuid.UUID | None:
    """The member a wish list is for, if they are one."""
    return await session.scalar(select(Person.linked_user_id).where(Person.id == lst.person_id))


async def item_hidden(
    session: AsyncSession,
    member: Member,
    lst: GiftList,
    gift_id: uuid.UUID,
    seen=(View.FULL,),
    *,
    held: tuple[GiftFacts, list[Viewer]] | None = None,
) -> Hidden:
    """Whom an event about the gift on this list is hidden from; `held`: the gift's facts and the
    household's viewers, when the use case already has them."""
    lfacts = list_facts(lst)
    if held is None:
        gfacts = await gift_facts(session, gift_id)
        viewers = await household_viewers(session, member.household_id)
    else:
        gfacts, viewers = held
    return hidden(
        viewers,
        lambda v: item_view(v, lfacts, gfacts),
        about=gfacts.recipient_person_ids | {lfacts.owner_person_id},
        seen=seen,
    )


async def exchange_claim_hidden(
    session: AsyncSession, member: Member, lst: GiftList, gift_id: uuid.UUID
) -> dict:
    """The event fields of what a member does with a claim they made for a gift exchange: hidden as
    any event about the item, and from everyone but them, since who gives what there is theirs."""
    kept = await item_hidden(session, member, lst, gift_id)
    others = {v.user_id for v in await household_viewers(session, member.household_id)}
    others.discard(member.user_id)
    users = tuple(sorted(set(kept.users) | others, key=str))
    return {**Hidden(users, kept.persons).fields, "only_for": (member.user_id,)}


async def holds_exchange_claim(session: AsyncSession, member: Member, item: ListItem) -> bool:
    return (
        await session.scalar(
            select(Claim.id).where(
                Claim.list_item_id == item.id,
                Claim.user_id == member.user_id,
                Claim.exchange_id.is_not(None),
            )
        )
    ) is not None


async def present_items(
    session: AsyncSession, viewer: Viewer, items: list[ListItem], status: ItemStatus | None = None
) -> list[ListItemPublic | None]:
    """The items as `viewer` may see them; None where they may not (or where the status they are
    shown is not the one asked for)."""
    list_ids, gift_ids = {i.list_id for i in items}, {i.gift_id for i in items}
    lists = {
        lst.id: lst
        for lst in await session.scalars(select(GiftList).where(GiftList.id.in_(list_ids)))
    }
    gifts = {
        gift.id: gift for gift in await session.scalars(select(Gift).where(Gift.id.in_(gift_ids)))
    }
    facts = await gifts_facts(session, gifts.values())
    shown = []
    for item in items:
        view = item_view(viewer, list_facts(lists[item.list_id]), facts[item.gift_id])
        public = (
            None
            if view is View.HIDDEN
            else present_item(viewer, view, item, gifts[item.gift_id].title)
        )
        shown.append(
            None if public is None or (status is not None and public.status != status) else public
        )
    return shown


# built once, the values bound per call: composing them through the ORM cost more than running them
_ITEM_VALUES = (
    "id",
    "household_id",
    "list_id",
    "gift_id",
    "quantity",
    "priority",
    "status",
    "notes",
    "added_by",
    "notes_by",
)
_ADD_ITEM = (
    insert(ListItem)
    .values(
        {
            **{column: bindparam(column) for column in _ITEM_VALUES},
            **{at: bindparam("now") for at in ("created_at", "updated_at", "status_changed_at")},
        }
    )
    .on_conflict_do_nothing(index_elements=["list_id", "gift_id"])
    .returning(ListItem)
)
_LINK_RECIPIENT = (
    insert(GiftPerson)
    .values(
        gift_id=bindparam("gift_id"),
        person_id=bindparam("person_id"),
        role=GiftRole.RECIPIENT,
        created_at=bindparam("now"),
    )
    .on_conflict_do_nothing()
    .returning(GiftPerson.person_id)
)


async def add_item(
    session: AsyncSession, member: Member, list_id: uuid.UUID, data: ListItemCreate
) -> ListItemPublic:
    if (data.gift_id is None) == (data.gift is None):
        raise InvalidInput(
            "gift_id", "give either gift_id (a gift of the household) or gift (a new one), not both"
        )
    try:
        async with session.begin():
            viewer = await load_viewer(session, member)
            lst, _ = await visible_list(session, member, viewer, list_id)
            if data.priority != Priority.NORMAL:
                check_priority_setter(viewer, lst, await wisher_of(session, lst))
            if data.gift is not None:
                gift, (facts, links, tags) = await add_gift(
                    session, member, viewer, data.gift, announce=False
                )
            else:
                gift, facts, _ = await visible_gift(session, member, viewer, data.gift_id)
            now = utcnow()
            item = await session.scalar(
                _ADD_ITEM,
                {
                    "id": uuid.uuid4(),
                    "household_id": member.household_id,
                    "list_id": lst.id,
                    "gift_id": gift.id,
                    "quantity": data.quantity,
                    "priority": PRIORITY_RANK[data.priority],
                    "status": ItemStatus.IDEA,
                    "notes": data.notes,
                    "added_by": member.user_id,
                    "notes_by": member.user_id if data.notes else None,
                    "now": now,
                },
            )
            if item is None:
                raise Conflict("That gift is already on this list; change its quantity instead.")
            # whom the list is for is a recipient of the gift, and stays one if it comes off the list again
            linked = await session.scalar(
                _LINK_RECIPIENT, {"gift_id": gift.id, "person_id": lst.person_id, "now": now}
            )
            # the gift as it is now, on this list too: the events and the answer need not read it
            facts = GiftFacts(
                recipient_person_ids=facts.recipient_person_ids | {lst.person_id},
                from_santa=gift.from_santa,
                lists=(*facts.lists, list_facts(lst)),
                created_by=gift.created_by,
            )
            viewers = await household_viewers(session, member.household_id)
            if data.gift is not None:
                if linked is not None:
                    links = [*links, GiftPersonLink(person_id=linked, role=GiftRole.RECIPIENT)]
                held = (facts, links, tags)
                await gift_event(session, member, gift, GiftCreated, held=held, viewers=viewers)
            elif linked is not None:
                await gift_event(session, member, gift, GiftUpdated, viewers=viewers)
            await add_event(
                session,
                outbox,
                ListItemAdded(
                    household_id=member.household_id,
                    actor_id=member.user_id,
                    **(
                        await item_hidden(
                            session, member, lst, gift.id, WISH_SEEN, held=(facts, viewers)
                        )
                    ).fields,
                    list_item_id=item.id,
                    list_id=lst.id,
                    gift_id=gift.id,
                    gift_title=gift.title,
                    quantity=item.quantity,
                    priority=data.priority,
                    status=item.status,
                ),
            )
            return present_item(viewer, item_view(viewer, list_facts(lst), facts), item, gift.title)
    except IntegrityError:  # the list or gift went away meanwhile
        raise Conflict("The list or the gift changed meanwhile; please try again.") from None


async def get_item(session: AsyncSession, member: Member, item_id: uuid.UUID) -> ListItemPublic:
    async with session.begin():
        viewer = await load_viewer(session, member)
        item, _, gift, view = await visible_item(session, member, viewer, item_id)
        return present_item(viewer, view, item, gift.title)


async def update_item(
    session: AsyncSession, member: Member, item_id: uuid.UUID, data: ListItemUpdate
) -> ListItemPublic:
    changes = data.model_dump(exclude_unset=True)
    if "quantity" in changes and changes["quantity"] is None:
        raise InvalidInput("quantity", "can be changed but not emptied to null")
    async with session.begin():
        viewer = await load_viewer(session, member)
        item, lst, gift, view = await visible_item(session, member, viewer, item_id, lock=True)
        quantity = changes.get("quantity", item.quantity)
        released = []
        if quantity < item.claimed_quantity:
            if view is View.FULL:
                raise Conflict(
                    f"{item.claimed_quantity} are already claimed; release claims before wanting fewer.",
                    {"claimed_quantity": item.claimed_quantity},
                )
            # the wisher wants fewer: claims beyond it are released (newest first) without telling them
            released = await _release_beyond(session, item, quantity)
        if "notes" in changes and view is not View.FULL and item.added_by != member.user_id:
            raise InvalidInput("notes", "are the notes of whoever added the item")
        if "notes" in changes:
            changes["notes_by"] = member.user_id if changes["notes"] else None
        if "priority" in changes:
            if changes["priority"] is None:
                raise InvalidInput("priority", "can be changed but not emptied to null")
            if PRIORITY_RANK[changes["priority"]] != item.priority:
                check_priority_setter(viewer, lst, await wisher_of(session, lst))
            changes["priority"] = PRIORITY_RANK[changes["priority"]]
        item.sqlmodel_update(changes)
        item.updated_at = utcnow()
        await session.flush()
        await session.refresh(item)
        for claim, units in released:
            await add_event(
                session,
                outbox,
                ClaimRemoved(
                    household_id=member.household_id,
                    actor_id=member.user_id,
                    **(await item_hidden(session, member, lst, gift.id)).fields,
                    claim_id=claim.id,
                    list_item_id=item.id,
                    list_id=lst.id,
                    gift_id=gift.id,
                    user_id=claim.user_id,
                    quantity=units,
                    claimed_quantity=item.claimed_quantity,
                    wanted_quantity=item.quantity,
                ),
            )
        await add_event(
            session,
            outbox,
            ListItemUpdated(
                household_id=member.household_id,
                actor_id=member.user_id,
                **(await item_hidden(session, member, lst, gift.id, WISH_SEEN)).fields,
                list_item_id=item.id,
                list_id=lst.id,
                gift_id=gift.id,
                quantity=item.quantity,
                priority=PRIORITY_OF_RANK[item.priority],
            ),
        )
        return present_item(viewer, view, item, gift.title)


async def _release_beyond(
    session: AsyncSession, item: ListItem, quantity: int
) -> list[tuple[Claim, int]]:
    excess = item.claimed_quantity - quantity
    released = []
    claims = await session.scalars(
        select(Claim)
        .where(Claim.list_item_id == item.id)
        .order_by(Claim.created_at.desc())
        .with_for_update()
    )
    for claim in claims:
        if excess <= 0:
            break
        units = min(excess, claim.quantity)
        excess -= units
        if units == claim.quantity:
            await session.delete(claim)
        else:
            claim.quantity -= units
            claim.updated_at = utcnow()
        released.append((claim, units))
    await session.flush()  # the trigger counts them back before the item's quantity drops
    await session.refresh(item)
    return released


async def remove_item(session: AsyncSession, member: Member, item_id: uuid.UUID) -> None:
    """Takes the gift off the list, with its claims; the gift stays."""
    async with session.begin():
        viewer = await load_viewer(session, member)
        item, lst, gift, _ = await visible_item(session, member, viewer, item_id, lock=True)
        kept_from = await item_hidden(session, member, lst, gift.id, WISH_SEEN)
        await session.delete(item)
        await add_event(
            session,
            outbox,
            ListItemRemoved(
                household_id=member.household_id,
                actor_id=member.user_id,
                **kept_from.fields,
                list_item_id=item.id,
                list_id=lst.id,
                gift_id=gift.id,
            ),
        )


async def change_status(
    session: AsyncSession, member: Member, item_id: uuid.UUID, status: ItemStatus
) -> ListItemPublic:
    """Move an item along the pipeline; the purchaser is recorded when it is purchased."""
    async with session.begin():
        viewer = await load_viewer(session, member)
        item, lst, gift, view = await visible_item(session, member, viewer, item_id, lock=True)
        require_not_recipient(view, "change the status of")
        await require_claimer(session, member, item)
        previous = ItemStatus(item.status)
        check_transition(previous, status)
        now = utcnow()
        # bought for a gift exchange: who bought it would tell whom they drew, so it stays unnamed
        for_exchange = await holds_exchange_claim(session, member, item)
        if status == ItemStatus.PURCHASED and previous not in BOUGHT:
            item.purchased_at = now
            item.purchased_by = None if for_exchange else member.user_id
            if viewer.person_ids and not for_exchange:
                await session.execute(
                    insert(GiftPerson)
                    .values(
                        [
                            {
                                "gift_id": gift.id,
                                "person_id": p,
                                "role": GiftRole.PURCHASER,
                                "created_at": now,
                            }
                            for p in viewer.person_ids
                        ]
                    )
                    .on_conflict_do_nothing()
                )
        elif status not in BOUGHT and previous in BOUGHT:
            await _forget_purchaser(session, item, gift)
            item.purchased_at = item.purchased_by = None
        item.status, item.status_changed_at, item.updated_at = status, now, now
        await session.flush()
        await add_event(
            session,
            outbox,
            ListItemStatusChanged(
                household_id=member.household_id,
                actor_id=member.user_id,
                **(
                    await exchange_claim_hidden(session, member, lst, gift.id)
                    if for_exchange
                    else (await item_hidden(session, member, lst, gift.id)).fields
                ),
                list_item_id=item.id,
                list_id=lst.id,
                gift_id=gift.id,
                gift_title=gift.title,
                previous_status=previous,
                status=status,
            ),
        )
        if status == ItemStatus.GIVEN:  # handed over: in the recipients' history from now on
            occasion = await session.get(Occasion, lst.occasion_id) if lst.occasion_id else None
            await record_given_item(
                session,
                member.household_id,
                item.id,
                occasion,
                actor_id=member.user_id,
                viewers=await household_viewers(session, member.household_id),
            )
        return present_item(viewer, view, item, gift.title)


async def require_claimer(session: AsyncSession, member: Member, item: ListItem) -> None:
    """A claimed item is moved along by who claimed it (they are the ones buying it), or by an admin."""
    if item.claimed_quantity == 0 or member.role == Role.ADMIN:
        return
    claimers = set(
        await session.scalars(select(Claim.user_id).where(Claim.list_item_id == item.id))
    )
    if member.user_id not in claimers:
        raise Forbidden("Someone else has claimed this; they move it along (or an admin can).")


async def _forget_purchaser(session: AsyncSession, item: ListItem, gift: Gift) -> None:
    """Undoing a purchase unlinks its purchaser, unless they bought the gift on another list too."""
    if item.purchased_by is None:
        return
    elsewhere = await session.scalar(
        select(ListItem.id)
        .where(
            ListItem.gift_id == gift.id,
            ListItem.id != item.id,
            ListItem.purchased_by == item.purchased_by,
        )
        .limit(1)
    )
    if elsewhere is None:
        await session.execute(
            delete(GiftPerson).where(
                GiftPerson.gift_id == gift.id,
                GiftPerson.role == GiftRole.PURCHASER,
                GiftPerson.person_id.in_(
                    select(Person.id).where(
                        Person.linked_user_id == item.purchased_by,
                        Person.household_id == item.household_id,
                    )
                ),
            )
        )
