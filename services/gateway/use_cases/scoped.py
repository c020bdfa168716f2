"""What every gifting use case starts with: the household's own rows (another household's ids are
simply not found), what the caller may see of them, and who may change what."""

import uuid
from functools import cache
from typing import TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.gifts import Gift
from services.gateway.models.households import Member, Role
from services.gateway.models.lists import GiftList, ListItem
from services.gateway.surprise import GiftFacts, View, Viewer, gift_view, item_view, list_view
from services.gateway.use_cases.audience import gift_facts, list_facts
from shared.errors import Forbidden, InvalidInput, NotFound

M = TypeVar("M")


@cache
def _own(model: type, lock: bool) -> Select:
    """A household's row of `model` by id, built once per model: asked by nearly every write."""
    query = select(model).where(
        model.id == bindparam("row_id"), model.household_id == bindparam("household_id")
    )
    return query.with_for_update() if lock else query


async def get_own(
    session: AsyncSession,
    model: type[M],
    member: Member,
    row_id: uuid.UUID,
    what: str,
    *,
    lock: bool = False,
) -> M:
    """The household's `model` row with this id, or 404 (also for another household's ids)."""
    row = await session.scalar(
        _own(model, lock), {"row_id": row_id, "household_id": member.household_id}
    )
    if row is None:
        raise NotFound(f"No such {what} in this household.")
    return row


async def get_referenced(
    session: AsyncSession, model: type[M], member: Member, row_id: uuid.UUID, field: str, what: str
) -> M:
    """Like `get_own`, for an id given in a request body: a wrong one is the caller's input error."""
    row = await session.scalar(
        _own(model, False), {"row_id": row_id, "household_id": member.household_id}
    )
    if row is None:
        raise InvalidInput(field, f"is not a {what} of this household")
    return row


def require_grown_up(member: Member, doing: str) -> None:
    if member.role == Role.CHILD:
        raise Forbidden(f"Only the grown-ups of the household can {doing}.")


def require_not_recipient(view: View, doing: str) -> None:
    """Refuse, the same way whatever the state, what would tell a recipient about their surprise."""
    if view is View.REDACTED:
        raise Forbidden(
            f"You can't {doing} a gift that is for you; the others will take care of it."
        )


async def visible_list(
    session: AsyncSession, member: Member, viewer: Viewer, list_id: uuid.UUID, *, lock: bool = False
) -> tuple[GiftList, View]:
    lst = await get_own(session, GiftList, member, list_id, "list", lock=lock)
    view = list_view(viewer, list_facts(lst))
    if view is View.HIDDEN:
        raise NotFound("No such list in this household.")
    return lst, view


async def visible_gift(
    session: AsyncSession, member: Member, viewer: Viewer, gift_id: uuid.UUID, *, lock: bool = False
) -> tuple[Gift, GiftFacts, View]:
    gift = await get_own(session, Gift, member, gift_id, "gift", lock=lock)
    facts = await gift_facts(session, gift)
    view = gift_view(viewer, facts)
    if view is View.HIDDEN:
        raise NotFound("No such gift in this household.")
    return gift, facts, view


async def visible_item(
    session: AsyncSession, member: Member, viewer: Viewer, item_id: uuid.UUID, *, lock: bool = False
) -> tuple[ListItem, GiftList, Gift, View]:
    item = await get_own(session, ListItem, member, item_id, "list item", lock=lock)
    lst = await session.get_one(GiftList, item.list_id)
    gift = await session.get_one(Gift, item.gift_id)
    view = item_view(viewer, list_facts(lst), await gift_facts(session, gift))
    if view is View.HIDDEN:
        raise NotFound("No such list item in this household.")
    return item, lst, gift, view
