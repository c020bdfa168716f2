"""Gift exchanges: an organizer (a grown-up member) sets one up for an occasion, changes it, draws names
and redraws until the deadline; every change is staged in the outbox in the same transaction.

Who may see a pick is one rule (`surprise.pick_viewers`): each pick's event is `only_for` those members,
hidden from every other member now, and from every other participant whoever is linked to them later.
A change to who takes part or to the exclusions after a draw voids it (a latecomer has no pick and an
excluded pair might have been drawn), and the organizer draws again.
"""

import random
import secrets
import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.gateway.exchange_draw import DrawRefused, draw, explain
from services.gateway.models import outbox, utcnow
from services.gateway.models.exchanges import (
    MIN_PARTICIPANTS,
    Exchange,
    ExchangeCreate,
    ExchangeExclusion,
    ExchangeParticipant,
    ExchangePick,
    ExchangePublic,
    ExchangeUpdate,
    ExclusionIn,
)
from services.gateway.models.households import Member
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.surprise import Viewer, pick_viewers
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.exchange_reads import (
    ExchangeRows,
    load_rows,
    present,
    require_open,
)
from services.gateway.use_cases.occasions import household_today
from services.gateway.use_cases.scoped import get_own, get_referenced, require_grown_up
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.events.exchanges import (
    ExchangeCreated,
    ExchangeDeleted,
    ExchangeDrawn,
    ExchangePickDrawn,
    ExchangeUpdated,
)
from shared.outbox import add_event

NOBODY = uuid.UUID(int=0)


def require_organizer(member: Member, exchange: Exchange) -> None:
    """The organizer runs the exchange; if their account is gone, an admin takes over."""
    if member.user_id == exchange.organizer_id or (
        exchange.organizer_id is None and member.is_admin
    ):
        return
    raise Forbidden("Only the exchange's organizer can change it or draw names.")


async def _check_people(
    session: AsyncSession, member: Member, person_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(person_ids))
    if len(wanted) < MIN_PARTICIPANTS:
        raise InvalidInput(
            "person_ids",
            f"needs at least {MIN_PARTICIPANTS} different people, or everyone would know who "
            "draws them",
        )
    found = set(
        await session.scalars(
            select(col(Person.id)).where(
                col(Person.household_id) == member.household_id, col(Person.id).in_(wanted)
            )
        )
    )
    if missing := [str(p) for p in wanted if p not in found]:
        raise InvalidInput("person_ids", f"not people of this household: {', '.join(missing)}")
    return wanted


def _check_exclusions(
    exclusions: list[ExclusionIn], people: list[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    taking_part = set(people)
    pairs = set()
    for i, x in enumerate(exclusions):
        if x.giver_person_id == x.receiver_person_id:
            raise InvalidInput(
                f"exclusions.{i}", "names one person twice: nobody draws themselves anyway"
            )
        if not {x.giver_person_id, x.receiver_person_id} <= taking_part:
            raise InvalidInput(f"exclusions.{i}", "names someone who is not taking part")
        pairs.add((x.giver_person_id, x.receiver_person_id))
        if x.both_ways:
            pairs.add((x.receiver_person_id, x.giver_person_id))
    return pairs


def _check_price(exchange: Exchange) -> None:
    if (exchange.price_min is not None or exchange.price_max is not None) and not exchange.currency:
        raise InvalidInput("currency", "is needed with a price range, e.g. EUR")
    if (
        exchange.price_min is not None
        and exchange.price_max is not None
        and exchange.price_min > exchange.price_max
    ):
        raise InvalidInput("price_min", "must not be above price_max")


async def _set_people(
    session: AsyncSession,
    exchange_id: uuid.UUID,
    people: list[uuid.UUID],
    pairs: set[tuple[uuid.UUID, uuid.UUID]],
) -> None:
    await session.execute(
        delete(ExchangeParticipant).where(col(ExchangeParticipant.exchange_id) == exchange_id)
    )
    await session.execute(
        insert(ExchangeParticipant),
        [{"exchange_id": exchange_id, "person_id": p} for p in people],
    )
    await session.execute(
        delete(ExchangeExclusion).where(col(ExchangeExclusion.exchange_id) == exchange_id)
    )
    if pairs:
        await session.execute(
            insert(ExchangeExclusion),
            [
                {"exchange_id": exchange_id, "giver_person_id": g, "receiver_person_id": r}
                for g, r in sorted(pairs, key=str)
            ],
        )


def _member_ids(members: list[Viewer], rows: ExchangeRows) -> tuple[uuid.UUID, ...]:
    """The members taking part (through their linked person), and the organizer."""
    taking_part = set(rows.people)
    ids = {m.user_id for m in members if m.person_ids & taking_part}
    if rows.exchange.organizer_id is not None:
        ids.add(rows.exchange.organizer_id)
    return tuple(sorted(ids, key=str))


def _facts(member: Member, rows: ExchangeRows, members: list[Viewer]) -> dict:
    e = rows.exchange
    return dict(
        household_id=member.household_id,
        actor_id=member.user_id,
        exchange_id=e.id,
        occasion_id=e.occasion_id,
        name=e.name,
        deadline=e.deadline,
        price_min=e.price_min,
        price_max=e.price_max,
        currency=e.currency,
        person_ids=tuple(rows.people),
        member_ids=_member_ids(members, rows),
    )


async def create_exchange(
    session: AsyncSession, member: Member, data: ExchangeCreate
) -> ExchangePublic:
    require_grown_up(member, "organize a gift exchange")
    async with session.begin():
        await get_referenced(session, Occasion, member, data.occasion_id, "occasion_id", "occasion")
        today = await household_today(session, member.household_id)
        if data.deadline <= today:
            raise InvalidInput("deadline", f"must be after today ({today.isoformat()})")
        rows, members = await _make(session, member, data, member.user_id, draw_round=0)
        return await present(session, member, rows, members, today)


async def import_exchange(
    session: AsyncSession,
    member: Member,
    data: ExchangeCreate,
    organizer_id: uuid.UUID | None,
    draw_round: int,
) -> uuid.UUID:
    """An exchange as a household export has it, made in the importer's new household with its
    event, as `create_exchange` makes one. Its day may have passed (the exchanges of past years are
    the household's history too); it is run by `organizer_id` (the importer, or nobody: then an
    admin); its rounds so far are counted, but it is not drawn: an export carries no picks."""
    require_grown_up(member, "organize a gift exchange")
    async with session.begin():
        await get_referenced(session, Occasion, member, data.occasion_id, "occasion_id", "occasion")
        rows, _ = await _make(session, member, data, organizer_id, draw_round)
        return rows.exchange.id


async def _make(
    session: AsyncSession,
    member: Member,
    data: ExchangeCreate,
    organizer_id: uuid.UUID | None,
    draw_round: int,
) -> tuple[ExchangeRows, list[Viewer]]:
    """The exchange made, with its people and exclusions, and its event staged."""
    people = await _check_people(session, member, data.person_ids)
    pairs = _check_exclusions(data.exclusions, people)
    exchange = Exchange(
        household_id=member.household_id,
        occasion_id=data.occasion_id,
        organizer_id=organizer_id,
        name=data.name,
        deadline=data.deadline,
        price_min=data.price_min,
        price_max=data.price_max,
        currency=data.currency,
        draw_round=draw_round,
    )
    _check_price(exchange)
    session.add(exchange)
    await session.flush()
    await _set_people(session, exchange.id, people, pairs)
    rows = await load_rows(session, exchange)
    members = await household_viewers(session, member.household_id)
    await add_event(session, outbox, ExchangeCreated(**_facts(member, rows, members)))
    return rows, members


async def update_exchange(
    session: AsyncSession, member: Member, exchange_id: uuid.UUID, data: ExchangeUpdate
) -> ExchangePublic:
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "deadline", "person_ids", "exclusions"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "can be changed but not emptied to null")
    async with session.begin():
        exchange = await get_own(session, Exchange, member, exchange_id, "gift exchange", lock=True)
        require_organizer(member, exchange)
        today = await household_today(session, member.household_id)
        require_open(exchange, today)
        if "deadline" in changes and changes["deadline"] <= today:
            raise InvalidInput("deadline", f"must be after today ({today.isoformat()})")
        rows = await load_rows(session, exchange)
        voided = False
        if "person_ids" in changes or "exclusions" in changes:
            people = (
                await _check_people(session, member, data.person_ids)
                if data.person_ids is not None
                else rows.people
            )
            if data.exclusions is not None:
                pairs = _check_exclusions(data.exclusions, people)
            else:  # the exclusions kept are those between people still taking part
                pairs = {(g, r) for g, r in rows.exclusions if {g, r} <= set(people)}
            if set(people) != set(rows.people) or pairs != set(rows.exclusions):
                await _set_people(session, exchange.id, people, pairs)
                if exchange.drawn_at is not None:
                    await session.execute(
                        delete(ExchangePick).where(col(ExchangePick.exchange_id) == exchange.id)
                    )
                    exchange.drawn_at = None
                    voided = True
        for field in ("name", "deadline", "price_min", "price_max", "currency"):
            if field in changes:
                setattr(exchange, field, changes[field])
        _check_price(exchange)
        exchange.updated_at = utcnow()
        await session.flush()
        rows = await load_rows(session, exchange)
        members = await household_viewers(session, member.household_id)
        await add_event(
            session,
            outbox,
            ExchangeUpdated(
                **_facts(member, rows, members), changed=tuple(changes), draw_voided=voided
            ),
        )
        return await present(session, member, rows, members, today)


async def delete_exchange(session: AsyncSession, member: Member, exchange_id: uuid.UUID) -> None:
    async with session.begin():
        exchange = await get_own(session, Exchange, member, exchange_id, "gift exchange", lock=True)
        require_organizer(member, exchange)
        await session.delete(exchange)
        await add_event(
            session,
            outbox,
            ExchangeDeleted(
                household_id=member.household_id, actor_id=member.user_id, exchange_id=exchange.id
            ),
        )


async def _last_years_pairs(
    session: AsyncSession, exchange: Exchange
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """The pairs of the previous exchange drawn for the same occasion."""
    previous = await session.scalar(
        select(col(Exchange.id))
        .where(
            col(Exchange.household_id) == exchange.household_id,
            col(Exchange.occasion_id) == exchange.occasion_id,
            col(Exchange.id) != exchange.id,
            col(Exchange.drawn_at).is_not(None),
            col(Exchange.created_at) <= exchange.created_at,
        )
        .order_by(col(Exchange.created_at).desc(), col(Exchange.id).desc())
        .limit(1)
    )
    if previous is None:
        return set()
    pairs = await session.execute(
        select(col(ExchangePick.giver_person_id), col(ExchangePick.receiver_person_id)).where(
            col(ExchangePick.exchange_id) == previous
        )
    )
    return {(g, r) for g, r in pairs.all()}


async def draw_names(
    session: AsyncSession, member: Member, exchange_id: uuid.UUID
) -> ExchangePublic:
    """Draw (or draw again): every earlier pick of this exchange is void."""
    async with session.begin():
        exchange = await get_own(session, Exchange, member, exchange_id, "gift exchange", lock=True)
        require_organizer(member, exchange)
        today = await household_today(session, member.household_id)
        require_open(exchange, today)
        rows = await load_rows(session, exchange)
        if len(rows.people) < MIN_PARTICIPANTS:
            raise Conflict(
                f"A draw needs at least {MIN_PARTICIPANTS} people taking part; "
                f"{len(rows.people)} are left."
            )
        try:
            drawn = draw(
                rows.people,
                rows.exclusions,
                await _last_years_pairs(session, exchange),
                random.Random(secrets.randbits(128)),
            )
        except DrawRefused as refused:
            raise Conflict(
                "No draw is possible with these exclusions. "
                + explain(refused.refusal, rows.names),
                {"people": [str(p) for p in refused.refusal.people]},
            ) from None
        now = utcnow()
        await session.execute(
            delete(ExchangePick).where(col(ExchangePick.exchange_id) == exchange.id)
        )
        await session.execute(
            insert(ExchangePick),
            [
                {
                    "exchange_id": exchange.id,
                    "giver_person_id": g,
                    "receiver_person_id": r,
                    "drawn_at": now,
                }
                for g, r in drawn.picks.items()
            ],
        )
        exchange.draw_round += 1
        exchange.drawn_at = now
        exchange.updated_at = now
        await session.flush()
        rows = await load_rows(session, exchange)
        members = await household_viewers(session, member.household_id)
        await add_event(
            session,
            outbox,
            ExchangeDrawn(
                **_facts(member, rows, members),
                draw_round=exchange.draw_round,
                givers=len(drawn.picks),
            ),
        )
        for giver, receiver in sorted(drawn.picks.items(), key=lambda p: rows.names[p[0]]):
            await add_event(
                session, outbox, _pick_event(member, exchange, rows, members, giver, receiver)
            )
        return await present(session, member, rows, members, today)


def _pick_event(
    member: Member,
    exchange: Exchange,
    rows: ExchangeRows,
    members: list[Viewer],
    giver: uuid.UUID,
    receiver: uuid.UUID,
) -> ExchangePickDrawn:
    """One giver's pick, for their eyes (or their proxy's) only."""
    # nobody left to see it (a giver who is no member, the organizer's account gone): a member id
    # that exists nowhere, since an empty `only_for` would mean everyone
    seeing = pick_viewers(members, giver, exchange.organizer_id) or frozenset({NOBODY})
    their_people = {p for m in members if m.user_id in seeing for p in m.person_ids}
    return ExchangePickDrawn(
        household_id=member.household_id,
        actor_id=member.user_id,
        only_for=tuple(sorted(seeing, key=str)),
        hidden_from=tuple(sorted((m.user_id for m in members if m.user_id not in seeing), key=str)),
        hidden_persons=tuple(
            sorted((p for p in rows.people if p != giver and p not in their_people), key=str)
        ),
        exchange_id=exchange.id,
        name=exchange.name,
        draw_round=exchange.draw_round,
        giver_person_id=giver,
        giver_name=rows.names[giver],
        receiver_person_id=receiver,
        receiver_name=rows.names[receiver],
        as_proxy=not any(giver in m.person_ids for m in members),
    )
