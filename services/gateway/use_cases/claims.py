"""Claims and pledges: who will get which units of a list item, and who chips in toward a gift.

Claims never exceed the wanted quantity, however many arrive at once: a claim locks its list item's
row (SELECT … FOR UPDATE) before it counts, and behind that check PostgreSQL itself refuses any claim
beyond the quantity (a trigger counts claimed units into the item, whose CHECK keeps them in range).
A refused claim rolls back before it has written anything, its event included.

A claim made for a gift exchange counts as the giver's gift there: only the giver (or the organizer, for
a giver who is not a member) may make one, for a gift whose recipient they drew, and nobody else learns
who made it (its events are only for the claimer; others see the units claimed, not by whom), since
that would tell them the pick.
"""

import uuid

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.claims import (
    Claim,
    ClaimPublic,
    MyClaim,
    Pledge,
    PledgePublic,
    PledgeSet,
)
from services.gateway.models.exchanges import Exchange, ExchangePick
from services.gateway.models.gifts import Gift
from services.gateway.models.households import Member
from services.gateway.models.lists import GiftList, ItemStatus, ListItem
from services.gateway.surprise import View, gift_hidden, item_view, pick_viewers
from services.gateway.use_cases.audience import (
    gift_facts,
    gifts_facts,
    household_viewers,
    list_facts,
    load_viewer,
)
from services.gateway.use_cases.items import exchange_claim_hidden, item_hidden
from services.gateway.use_cases.scoped import require_not_recipient, visible_gift, visible_item
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.gifting import (
    ClaimAdded,
    ClaimRemoved,
    PledgeAdded,
    PledgeChanged,
    PledgeRemoved,
)
from shared.outbox import add_event
from shared.pages import Page, PageRequest, fetch_page

CLAIMS_WITHIN_QUANTITY = "ck_list_item_claims_within_quantity"


def _all_claimed(item: ListItem, wanted: int) -> Conflict:
    left = item.quantity - item.claimed_quantity
    if left <= 0:
        message = "Someone got there first: every unit of this item is already claimed."
    else:
        message = f"Only {left} of {item.quantity} are still unclaimed; you asked for {wanted}."
    return Conflict(message, {"quantity": item.quantity, "claimed_quantity": item.claimed_quantity})


async def _check_exchange(
    session: AsyncSession, member: Member, exchange_id: uuid.UUID, lst: GiftList, gift: Gift
) -> None:
    """The caller drew (or, as organizer, a person who is no member drew) one of the gift's
    recipients in this exchange; the same answer whoever else drew them."""
    exchange = await session.scalar(
        select(Exchange).where(
            Exchange.id == exchange_id, Exchange.household_id == member.household_id
        )
    )
    if exchange is None:
        raise InvalidInput("exchange_id", "is not a gift exchange of this household")
    recipients = (await gift_facts(session, gift)).recipient_person_ids | {lst.person_id}
    givers = await session.scalars(
        select(ExchangePick.giver_person_id).where(
            ExchangePick.exchange_id == exchange.id,
            ExchangePick.receiver_person_id.in_(recipients),
        )
    )
    members = await household_viewers(session, member.household_id)
    if not any(member.user_id in pick_viewers(members, g, exchange.organizer_id) for g in givers):
        raise InvalidInput(
            "exchange_id",
            "is not an exchange in which you drew this gift's recipient: claim it without one",
        )


async def _claim_hidden(
    session: AsyncSession, member: Member, lst: GiftList, gift_id: uuid.UUID, for_exchange: bool
) -> dict:
    """Whom a claim's event is hidden from: as any event about the item, and a claim for a gift
    exchange from everyone but the claimer."""
    if for_exchange:
        return await exchange_claim_hidden(session, member, lst, gift_id)
    return (await item_hidden(session, member, lst, gift_id)).fields


async def claim(
    session: AsyncSession,
    member: Member,
    item_id: uuid.UUID,
    quantity: int,
    exchange_id: uuid.UUID | None = None,
) -> ClaimPublic:
    """Claim `quantity` more units of the item (on top of any the member already holds), for a gift
    exchange if `exchange_id` is given."""
    try:
        async with session.begin():
            viewer = await load_viewer(session, member)
            # the row lock: concurrent claims on this item queue here and each sees the one before
            item, lst, gift, view = await visible_item(session, member, viewer, item_id, lock=True)
            require_not_recipient(view, "claim")
            if exchange_id is not None:
                await _check_exchange(session, member, exchange_id, lst, gift)
            if item.status == ItemStatus.GIVEN:
                raise Conflict("This item has already been given.")
            if item.claimed_quantity + quantity > item.quantity:
                raise _all_claimed(item, quantity)
            now = utcnow()
            row = await session.scalar(
                insert(Claim)
                .values(
                    id=uuid.uuid4(),
                    household_id=member.household_id,
                    list_item_id=item.id,
                    user_id=member.user_id,
                    quantity=quantity,
                    exchange_id=exchange_id,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_update(
                    index_elements=["list_item_id", "user_id"],
                    set_={
                        "quantity": Claim.quantity + quantity,
                        "exchange_id": func.coalesce(exchange_id, Claim.exchange_id),
                        "updated_at": now,
                    },
                )
                .returning(Claim)
            )
            await session.refresh(item)
            await add_event(
                session,
                outbox,
                ClaimAdded(
                    household_id=member.household_id,
                    actor_id=member.user_id,
                    **await _claim_hidden(
                        session, member, lst, gift.id, row.exchange_id is not None
                    ),
                    claim_id=row.id,
                    list_item_id=item.id,
                    list_id=lst.id,
                    gift_id=gift.id,
                    user_id=member.user_id,
                    quantity=quantity,
                    claimed_quantity=item.claimed_quantity,
                    wanted_quantity=item.quantity,
                ),
            )
            return ClaimPublic.model_validate(row)
    except IntegrityError as error:
        if CLAIMS_WITHIN_QUANTITY in str(error.orig):
            raise Conflict(
                "Someone got there first: there are not that many unclaimed units left."
            ) from None
        raise


async def unclaim(session: AsyncSession, member: Member, item_id: uuid.UUID) -> None:
    """Release all the member's units of the item."""
    async with session.begin():
        viewer = await load_viewer(session, member)
        item, lst, gift, _ = await visible_item(session, member, viewer, item_id, lock=True)
        if item.status == ItemStatus.GIVEN:
            raise Conflict("This item has been given: who gave it is part of its history now.")
        row = await session.scalar(
            delete(Claim)
            .where(Claim.list_item_id == item.id, Claim.user_id == member.user_id)
            .returning(Claim)
        )
        if row is None:
            raise NotFound("You have no claim on this item.")
        await session.refresh(item)
        await add_event(
            session,
            outbox,
            ClaimRemoved(
                household_id=member.household_id,
                actor_id=member.user_id,
                **await _claim_hidden(session, member, lst, gift.id, row.exchange_id is not None),
                claim_id=row.id,
                list_item_id=item.id,
                list_id=lst.id,
                gift_id=gift.id,
                user_id=member.user_id,
                quantity=row.quantity,
                claimed_quantity=item.claimed_quantity,
                wanted_quantity=item.quantity,
            ),
        )


async def list_claims(
    session: AsyncSession, member: Member, item_id: uuid.UUID
) -> list[ClaimPublic]:
    """Who claimed the item; nobody, as far as its recipient can tell, and of the claims made for a
    gift exchange only the caller's own."""
    async with session.begin():
        viewer = await load_viewer(session, member)
        item, _, _, view = await visible_item(session, member, viewer, item_id)
        if view is not View.FULL:
            return []
        claims = await session.scalars(
            select(Claim)
            .where(
                Claim.list_item_id == item.id,
                or_(Claim.exchange_id.is_(None), Claim.user_id == member.user_id),
            )
            .order_by(Claim.created_at)
        )
        return [ClaimPublic.model_validate(c) for c in claims]


async def my_claims(session: AsyncSession, member: Member, page: PageRequest) -> Page[MyClaim]:
    """The caller's claims in the household, oldest first, with what they need to go and buy them."""
    query = select(Claim).where(
        Claim.household_id == member.household_id, Claim.user_id == member.user_id
    )
    async with session.begin():
        viewer = await load_viewer(session, member)

        async def shape(rows: list[Claim]) -> list[MyClaim | None]:
            return await present_my_claims(session, viewer, rows)

        return await fetch_page(session, query, (Claim.created_at, Claim.id), page, shape)


async def present_my_claims(
    session: AsyncSession, viewer, claims: list[Claim]
) -> list[MyClaim | None]:
    if not claims:
        return []
    rows = (
        await session.execute(
            select(ListItem, GiftList, Gift)
            .join(GiftList, GiftList.id == ListItem.list_id)
            .join(Gift, Gift.id == ListItem.gift_id)
            .where(ListItem.id.in_({c.list_item_id for c in claims}))
        )
    ).all()
    by_item = {item.id: (item, lst, gift) for item, lst, gift in rows}
    facts = await gifts_facts(session, {gift.id: gift for _, _, gift in rows}.values())
    shown = []
    for c in claims:
        item, lst, gift = by_item[c.list_item_id]
        if item_view(viewer, list_facts(lst), facts[gift.id]) is not View.FULL:
            shown.append(None)  # e.g. the list went private since
            continue
        shown.append(
            MyClaim.model_validate(
                c,
                update={
                    "list_id": lst.id,
                    "gift_id": gift.id,
                    "gift_title": gift.title,
                    "person_id": lst.person_id,
                    "status": item.status,
                    "price": gift.price,
                    "currency": gift.currency,
                },
            )
        )
    return shown


# pledges ---------------------------------------------------------------------------------------------
async def pledge(
    session: AsyncSession, member: Member, gift_id: uuid.UUID, data: PledgeSet
) -> tuple[PledgePublic, bool]:
    """Set the member's pledge toward a gift; (pledge, whether it is new)."""
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, facts, view = await visible_gift(session, member, viewer, gift_id, lock=True)
        require_not_recipient(view, "chip in for")
        currency = data.currency or gift.currency
        if currency is None:
            raise InvalidInput("currency", "is needed: the gift has no price to take it from")
        if gift.currency is not None and currency != gift.currency:
            raise InvalidInput("currency", f"must be the gift's currency, {gift.currency}")
        existing = await session.scalar(
            select(Pledge)
            .where(Pledge.gift_id == gift.id, Pledge.user_id == member.user_id)
            .with_for_update()
        )
        now = utcnow()
        if existing is None:
            row = Pledge(
                household_id=member.household_id,
                gift_id=gift.id,
                user_id=member.user_id,
                amount=data.amount,
                currency=currency,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
        else:
            row = existing
            row.amount, row.currency, row.updated_at = data.amount, currency, now
        await session.flush()
        event_type = PledgeAdded if existing is None else PledgeChanged
        await add_event(
            session,
            outbox,
            event_type(
                household_id=member.household_id,
                actor_id=member.user_id,
                **gift_hidden(await household_viewers(session, member.household_id), facts).fields,
                pledge_id=row.id,
                gift_id=gift.id,
                user_id=member.user_id,
                amount=row.amount,
                currency=row.currency,
            ),
        )
        return PledgePublic.model_validate(row), existing is None


async def unpledge(session: AsyncSession, member: Member, gift_id: uuid.UUID) -> None:
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, facts, _ = await visible_gift(session, member, viewer, gift_id, lock=True)
        row = await session.scalar(
            delete(Pledge)
            .where(Pledge.gift_id == gift.id, Pledge.user_id == member.user_id)
            .returning(Pledge.id)
        )
        if row is None:
            raise NotFound("You have no pledge toward this gift.")
        await add_event(
            session,
            outbox,
            PledgeRemoved(
                household_id=member.household_id,
                actor_id=member.user_id,
                **gift_hidden(await household_viewers(session, member.household_id), facts).fields,
                pledge_id=row,
                gift_id=gift.id,
                user_id=member.user_id,
            ),
        )


async def list_pledges(
    session: AsyncSession, member: Member, gift_id: uuid.UUID
) -> list[PledgePublic]:
    """Who chips in toward the gift; nobody, as far as its recipient can tell."""
    async with session.begin():
        viewer = await load_viewer(session, member)
        gift, _, view = await visible_gift(session, member, viewer, gift_id)
        if view is not View.FULL:
            return []
        rows = await session.scalars(
            select(Pledge).where(Pledge.gift_id == gift.id).order_by(Pledge.created_at)
        )
        return [PledgePublic.model_validate(p) for p in rows]
