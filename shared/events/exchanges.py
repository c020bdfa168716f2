"""Gift exchange events: an exchange made or changed, names drawn, and each giver's pick.

All of them are on the `exchange` topic, keyed by the exchange id. A draw is one `exchange.drawn` for
everyone taking part (how many, which round; never who draws whom) and one `exchange.pick_drawn` per
giver, whose `only_for` is that giver's member (or the organizer, for a person who is not a member):
nobody else ever learns of it, whoever joins later included, and every other participant is in its
`hidden_persons`, so a person linked to a member later does not learn it either.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from shared.events import Event


class ExchangeEvent(Event):
    topic: ClassVar[str] = "exchange"
    aggregate_field: ClassVar[str] = "exchange_id"

    exchange_id: UUID


class ExchangeFacts(ExchangeEvent):
    occasion_id: UUID
    name: str
    deadline: date
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    currency: str | None = None
    person_ids: tuple[UUID, ...] = ()
    # the members taking part now (through their linked person), and the organizer
    member_ids: tuple[UUID, ...] = ()


class ExchangeCreated(ExchangeFacts):
    event_name: ClassVar[str] = "exchange.created"


class ExchangeUpdated(ExchangeFacts):
    """`draw_voided`: the people or exclusions changed after a draw, so names must be drawn again."""

    event_name: ClassVar[str] = "exchange.updated"

    changed: tuple[str, ...] = ()
    draw_voided: bool = False


class ExchangeDeleted(ExchangeEvent):
    event_name: ClassVar[str] = "exchange.deleted"


class ExchangeDrawn(ExchangeFacts):
    """Names were drawn (`draw_round` > 1: drawn again, every earlier pick is void)."""

    event_name: ClassVar[str] = "exchange.drawn"

    draw_round: int
    givers: int


class ExchangePickDrawn(ExchangeEvent):
    """One giver's pick; only for `only_for` (the giver's member, or the organizer as proxy)."""

    event_name: ClassVar[str] = "exchange.pick_drawn"

    name: str
    draw_round: int
    giver_person_id: UUID
    giver_name: str
    receiver_person_id: UUID
    receiver_name: str
    as_proxy: bool = False
