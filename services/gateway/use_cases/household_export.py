"""Export a household: everything it owns that the exporting member may see, as one document.

An export is a read like any other. It is put together from the read use cases the app itself calls
(people, occasions, gifts, lists and their items, claims, pledges, comments, budgets, tasks, the gift
history, the gift exchanges), so the
surprise rules are applied exactly as on every screen: a recipient's export never names a surprise for
them, and a child's would show only what a child sees. Nothing here reads a table directly.

One thing the screens show is left out: a gift exchange's picks. A giver sees their own in the app (an
organizer, a non-member's too), but the file leaves the app, and whoever reads it must not learn who
draws whom; so the exchanges come without picks, and a claim made for an exchange without the exchange
it was made for (that link names the claimer's pick). The claim itself stays: it is the claimer's.

Who may export: the grown-ups (admins and adults). The file leaves the app and its protections behind
(whoever holds it reads it), so a family expects taking it to be a grown-up's decision, as setting budgets
is; any grown-up rather than admins only, because each sees no more in the file than they already see in
the app, and a household's data is theirs as much as the admin's.

The reads are not one snapshot: each read use case runs its own transaction, as it does for a screen. A
change made while an export runs may be in it or not, as it would be on a page loaded at that moment.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from services.gateway.models.comments import TargetKind
from services.gateway.models.gifts import GiftPublic
from services.gateway.models.history import GiftRecordPublic
from services.gateway.models.household_export import (
    ExportedExchange,
    ExportedGift,
    ExportedHousehold,
    ExportedItem,
    ExportedList,
    ExportedRecord,
    HouseholdExport,
)
from services.gateway.models.households import Member
from services.gateway.models.lists import ListItemPublic
from services.gateway.models.occasions import OccasionPublic
from services.gateway.use_cases import (
    budgets,
    claims,
    comments,
    exchange_reads,
    gift_reads,
    history_reads,
    households,
    item_reads,
    lists,
    members,
    occasion_reads,
    people,
    task_reads,
    wrap_up,
)
from services.gateway.use_cases.scoped import require_grown_up
from shared.pages import Page, PageRequest

T = TypeVar("T")
PAGE = 200  # the largest page the read use cases are asked for through the API


async def every_page(read: Callable[[PageRequest], Awaitable[Page[T]]]) -> list[T]:
    """All the rows of a paged read, page after page."""
    rows: list[T] = []
    cursor = None
    while True:
        page = await read(PageRequest(cursor, PAGE))
        rows += page.items
        if not page.next_cursor:
            return rows
        cursor = page.next_cursor


M = TypeVar("M", bound=SQLModel)


async def every_row(
    session: AsyncSession,
    read: Callable[[PageRequest], Awaitable[dict[str, Any]]],
    model: type[M],
) -> list[M]:
    """All the rows of a paged read that answers plain JSON (the single-statement reads), as `model`.
    Those reads leave the transaction they began open, as a request's session ends it: here it is
    ended after each page, so the next use case can begin its own."""
    rows: list[M] = []
    cursor = None
    while True:
        page = await read(PageRequest(cursor, PAGE))
        if session.in_transaction():
            await session.commit()
        rows += [model.model_validate(row) for row in page["items"]]
        if not page.get("next_cursor"):
            return rows
        cursor = page["next_cursor"]


async def export_household(session: AsyncSession, member: Member) -> HouseholdExport:
    require_grown_up(member, "export the household's data")
    household = await households.get_household(session, member)
    gift_rows = await every_row(
        session, lambda p: gift_reads.list_gifts(session, member, p), GiftPublic
    )
    list_rows = await every_page(lambda p: lists.list_lists(session, member, p))
    return HouseholdExport(
        exported_by=member.user_id,
        household=ExportedHousehold.model_validate(household.model_dump()),
        members=await members.list_members(session, member),
        people=await every_page(lambda p: people.list_people(session, member, p)),
        occasions=await every_row(
            session, lambda p: occasion_reads.list_occasions(session, member, p), OccasionPublic
        ),
        gifts=[
            ExportedGift(
                **g.model_dump(),
                pledges=await claims.list_pledges(session, member, g.id),
                comments=await _comments(session, member, TargetKind.GIFT, g.id),
            )
            for g in gift_rows
        ],
        lists=[
            ExportedList(
                **lst.model_dump(),
                items=await _items(session, member, lst.id),
                comments=await _comments(session, member, TargetKind.LIST, lst.id),
            )
            for lst in list_rows
        ],
        budgets=await every_page(lambda p: budgets.list_budgets(session, member, p)),
        tasks=await every_page(lambda p: task_reads.list_tasks(session, member, p)),
        history=await _history(session, member),
        exchanges=await _exchanges(session, member),
    )


async def _exchanges(session: AsyncSession, member: Member) -> list[ExportedExchange]:
    """The household's exchanges, past ones too, with none of their picks."""
    rows = await exchange_reads.list_exchanges(session, member, None)
    return [
        ExportedExchange.model_validate(x.model_dump(exclude={"open", "my_picks", "progress"}))
        for x in rows
    ]


async def _history(session: AsyncSession, member: Member) -> list[ExportedRecord]:
    """The records the member may see, each with the list item it was given from and whom it is
    kept to, so an import keeps it as it was (and never records that item's gift twice)."""
    rows = await every_row(
        session, lambda p: history_reads.list_records(session, member, p), GiftRecordPublic
    )
    async with session.begin():
        kept = await wrap_up.kept_as(session, member.household_id, [r.id for r in rows])
    return [
        ExportedRecord(
            **r.model_dump(),
            list_item_id=kept[r.id][0] if r.id in kept else None,
            private_to=kept[r.id][1] if r.id in kept else [],
        )
        for r in rows
    ]


async def _items(session: AsyncSession, member: Member, list_id: uuid.UUID) -> list[ExportedItem]:
    rows = await every_row(
        session, lambda p: item_reads.list_items(session, member, list_id, p), ListItemPublic
    )
    return [
        ExportedItem(
            **item.model_dump(),
            claims=[
                c.model_copy(update={"exchange_id": None})
                for c in await claims.list_claims(session, member, item.id)
            ],
        )
        for item in rows
    ]


async def _comments(session: AsyncSession, member: Member, kind: TargetKind, target: uuid.UUID):
    return await every_page(lambda p: comments.list_comments(session, member, kind, target, p))
