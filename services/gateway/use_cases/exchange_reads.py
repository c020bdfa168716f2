"""Reading gift exchanges: every member sees who takes part, the price range, the deadline and whether
names are drawn; of the picks, only those `surprise.pick_viewers` allows them; the organizer sees who
has started shopping (claimed a gift for the exchange), never for whom."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.gateway.models.exchanges import (
    Exchange,
    ExchangeExclusion,
    ExchangeParticipant,
    ExchangePick,
    ExchangePublic,
    Exclusion,
    GiverProgress,
    Pick,
)
from services.gateway.models.households import Member
from services.gateway.models.lists import GiftList
from services.gateway.models.people import Person
from services.gateway.surprise import View, Viewer, list_view, pick_viewers
from services.gateway.use_cases.audience import household_viewers, list_facts, load_viewer
from services.gateway.use_cases.occasions import household_today
from services.gateway.use_cases.scoped import get_own
from shared.errors import Conflict


@dataclass(frozen=True)
class ExchangeRows:
    exchange: Exchange
    people: list[uuid.UUID]  # taking part, by name
    names: dict[uuid.UUID, str]
    exclusions: list[tuple[uuid.UUID, uuid.UUID]]
    picks: dict[uuid.UUID, uuid.UUID]  # giver -> receiver, of the latest draw


def is_open(exchange: Exchange, today: dt.date) -> bool:
    return today < exchange.deadline


def require_open(exchange: Exchange, today: dt.date) -> None:
    if not is_open(exchange, today):
        raise Conflict(
            f"The exchange's day, {exchange.deadline.isoformat()}, has come: who takes part and the "
            "draw can no longer change."
        )


async def load_rows(session: AsyncSession, exchange: Exchange) -> ExchangeRows:
    people = (
        await session.execute(
            select(col(Person.id), col(Person.name))
            .join(ExchangeParticipant, col(ExchangeParticipant.person_id) == col(Person.id))
            .where(col(ExchangeParticipant.exchange_id) == exchange.id)
            .order_by(col(Person.name), col(Person.id))
        )
    ).all()
    exclusions = (
        await session.execute(
            select(
                col(ExchangeExclusion.giver_person_id), col(ExchangeExclusion.receiver_person_id)
            )
            .where(col(ExchangeExclusion.exchange_id) == exchange.id)
            .order_by(
                col(ExchangeExclusion.giver_person_id), col(ExchangeExclusion.receiver_person_id)
            )
        )
    ).all()
    picks = (
        await session.execute(
            select(col(ExchangePick.giver_person_id), col(ExchangePick.receiver_person_id)).where(
                col(ExchangePick.exchange_id) == exchange.id
            )
        )
    ).all()
    return ExchangeRows(
        exchange=exchange,
        people=[p for p, _ in people],
        names=dict(people),
        exclusions=[(g, r) for g, r in exclusions],
        picks=dict(picks),
    )


async def _wish_lists(
    session: AsyncSession, viewer: Viewer, receivers: set[uuid.UUID], occasion_id: uuid.UUID
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The receivers' wish lists the viewer may open, those for the occasion first."""
    if not receivers:
        return {}
    lists = await session.scalars(
        select(GiftList)
        .where(col(GiftList.person_id).in_(receivers), col(GiftList.kind) == "wish")
        .order_by(col(GiftList.created_at), col(GiftList.id))
    )
    found: dict[uuid.UUID, list[GiftList]] = defaultdict(list)
    for lst in lists:
        if list_view(viewer, list_facts(lst)) is View.FULL:
            found[lst.person_id].append(lst)
    return {
        person: [
            lst.id for lst in sorted(found[person], key=lambda lst: lst.occasion_id != occasion_id)
        ]
        for person in receivers
    }


async def visible_picks(
    session: AsyncSession, viewer: Viewer, rows: ExchangeRows, members: list[Viewer]
) -> list[Pick]:
    e = rows.exchange
    mine = [
        (g, r)
        for g, r in rows.picks.items()
        if viewer.user_id in pick_viewers(members, g, e.organizer_id)
    ]
    lists = await _wish_lists(session, viewer, {r for _, r in mine}, e.occasion_id)
    return [
        Pick(
            giver_person_id=g,
            giver_name=rows.names[g],
            receiver_person_id=r,
            receiver_name=rows.names[r],
            as_proxy=g not in viewer.person_ids,
            wish_list_ids=lists[r],
        )
        for g, r in sorted(mine, key=lambda p: (p[0] not in viewer.person_ids, rows.names[p[0]]))
    ]


# the givers who claimed, for the exchange, a gift for their receiver (on the receiver's list, or a
# gift that names them as recipient); with who made the claim, to check it was the giver or their proxy
_STARTED = text(
    """
    SELECT DISTINCT p.giver_person_id, c.user_id
    FROM gateway.exchange_pick p
    JOIN gateway.claim c ON c.exchange_id = p.exchange_id
    JOIN gateway.list_item li ON li.id = c.list_item_id
    JOIN gateway.gift_list gl ON gl.id = li.list_id
    WHERE p.exchange_id = :exchange_id
      AND (gl.person_id = p.receiver_person_id OR EXISTS (
            SELECT 1 FROM gateway.gift_person gp
            WHERE gp.gift_id = li.gift_id AND gp.person_id = p.receiver_person_id
              AND gp.role = 'recipient'))
    """
)


async def _progress(
    session: AsyncSession, rows: ExchangeRows, members: list[Viewer]
) -> list[GiverProgress]:
    e = rows.exchange
    started = {
        giver
        for giver, user_id in (await session.execute(_STARTED, {"exchange_id": e.id})).all()
        if user_id in pick_viewers(members, giver, e.organizer_id)
    }
    return [GiverProgress(giver_person_id=g, started=g in started) for g in rows.people]


async def present(
    session: AsyncSession,
    member: Member,
    rows: ExchangeRows,
    members: list[Viewer],
    today: dt.date,
) -> ExchangePublic:
    e = rows.exchange
    viewer = next((m for m in members if m.user_id == member.user_id), None) or (
        await load_viewer(session, member)
    )
    organizer = member.user_id == e.organizer_id
    return ExchangePublic(
        id=e.id,
        household_id=e.household_id,
        occasion_id=e.occasion_id,
        organizer_id=e.organizer_id,
        name=e.name,
        deadline=e.deadline,
        price_min=e.price_min,
        price_max=e.price_max,
        currency=e.currency,
        person_ids=rows.people,
        exclusions=[Exclusion(giver_person_id=g, receiver_person_id=r) for g, r in rows.exclusions],
        draw_round=e.draw_round,
        drawn_at=e.drawn_at,
        open=is_open(e, today),
        my_picks=await visible_picks(session, viewer, rows, members),
        progress=await _progress(session, rows, members)
        if organizer and e.drawn_at is not None
        else None,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )


async def get_exchange(
    session: AsyncSession, member: Member, exchange_id: uuid.UUID
) -> ExchangePublic:
    async with session.begin():
        exchange = await get_own(session, Exchange, member, exchange_id, "gift exchange")
        rows = await load_rows(session, exchange)
        members = await household_viewers(session, member.household_id)
        today = await household_today(session, member.household_id)
        return await present(session, member, rows, members, today)


async def list_exchanges(
    session: AsyncSession, member: Member, occasion_id: uuid.UUID | None
) -> list[ExchangePublic]:
    """The household's exchanges, past ones too (the history), newest first."""
    query = select(Exchange).where(col(Exchange.household_id) == member.household_id)
    if occasion_id is not None:
        query = query.where(col(Exchange.occasion_id) == occasion_id)
    async with session.begin():
        exchanges = (
            await session.scalars(
                query.order_by(col(Exchange.deadline).desc(), col(Exchange.id)).limit(200)
            )
        ).all()
        members = await household_viewers(session, member.household_id)
        today = await household_today(session, member.household_id)
        return [
            await present(session, member, await load_rows(session, e), members, today)
            for e in exchanges
        ]
