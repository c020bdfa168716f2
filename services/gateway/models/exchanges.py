"""Gift exchanges (Secret Santa): an organizer draws, among chosen people of the household, who gives
to whom for an occasion, within a price range and before a deadline.

Participants are the household's people: a member takes part through the person linked to them, and a
person who is not a member through the organizer, who is their proxy. Exclusions are one way (this giver
never draws that receiver); both ways is two rows. The picks of the latest draw are kept with the
exchange, so last year's pairs are known to the next one for the same occasion, and past exchanges stay
as history."""

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import model_validator
from sqlalchemy import CheckConstraint, Column, Date, DateTime, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.gifts import Currency, Money, money_column
from shared.validation import CalendarDate, Line

MAX_PARTICIPANTS = 100
MIN_PARTICIPANTS = 3


class ExclusionIn(SQLModel):
    giver_person_id: uuid.UUID
    receiver_person_id: uuid.UUID
    both_ways: bool = Field(
        default=True, description="Neither draws the other (e.g. partners); false: only one way."
    )


class ExchangeChanges(SQLModel):
    """What an organizer may set; on create, `occasion_id`, `name`, `deadline` and `person_ids` too."""

    name: Line | None = Field(default=None, min_length=1, max_length=120)
    deadline: CalendarDate | None = Field(
        default=None,
        description="The day the gifts are exchanged; the draw can be redone until the day before.",
    )
    price_min: Money | None = None
    price_max: Money | None = None
    currency: Currency | None = Field(default=None, description="ISO 4217 code; with a price.")
    person_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=MAX_PARTICIPANTS,
        description="Who takes part: the household's people (members through their linked person).",
    )
    exclusions: list[ExclusionIn] | None = Field(default=None, max_length=400)

    @model_validator(mode="after")
    def _price_range(self):
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            raise ValueError("price_min must not be above price_max")
        return self


class ExchangeCreate(ExchangeChanges):
    occasion_id: uuid.UUID
    name: Line = Field(min_length=1, max_length=120)
    deadline: CalendarDate = Field(
        description="The day the gifts are exchanged; the draw can be redone until the day before."
    )
    person_ids: list[uuid.UUID] = Field(
        min_length=MIN_PARTICIPANTS,
        max_length=MAX_PARTICIPANTS,
        description="Who takes part: the household's people (members through their linked person).",
    )
    exclusions: list[ExclusionIn] = Field(default_factory=list, max_length=400)


class ExchangeUpdate(ExchangeChanges):
    pass


class Exchange(GatewayModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "price_min IS NULL OR price_max IS NULL OR price_min <= price_max", name="price_range"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    occasion_id: uuid.UUID = Field(
        foreign_key="gateway.occasion.id", ondelete="CASCADE", index=True
    )
    organizer_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    name: str = Field(sa_type=Text)
    deadline: dt.date = Field(sa_column=Column(Date, nullable=False))
    price_min: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    price_max: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    currency: str | None = Field(default=None, sa_type=Text)
    # how many times names were drawn; 0 while there is no draw
    draw_round: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    drawn_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())


class ExchangeParticipant(GatewayModel, table=True):
    __tablename__ = "exchange_participant"

    exchange_id: uuid.UUID = Field(
        foreign_key="gateway.exchange.id", ondelete="CASCADE", primary_key=True
    )
    person_id: uuid.UUID = Field(
        foreign_key="gateway.person.id", ondelete="CASCADE", primary_key=True
    )


class ExchangeExclusion(GatewayModel, table=True):
    __tablename__ = "exchange_exclusion"

    exchange_id: uuid.UUID = Field(
        foreign_key="gateway.exchange.id", ondelete="CASCADE", primary_key=True
    )
    giver_person_id: uuid.UUID = Field(
        foreign_key="gateway.person.id", ondelete="CASCADE", primary_key=True
    )
    receiver_person_id: uuid.UUID = Field(
        foreign_key="gateway.person.id", ondelete="CASCADE", primary_key=True
    )


class ExchangePick(GatewayModel, table=True):
    """One pair of the latest draw: the giver's receiver. Each receiver once per exchange."""

    __tablename__ = "exchange_pick"
    __table_args__ = (
        UniqueConstraint("exchange_id", "receiver_person_id"),  # one giver per receiver
        CheckConstraint("giver_person_id <> receiver_person_id", name="not_oneself"),
    )

    exchange_id: uuid.UUID = Field(
        foreign_key="gateway.exchange.id", ondelete="CASCADE", primary_key=True
    )
    giver_person_id: uuid.UUID = Field(
        foreign_key="gateway.person.id", ondelete="CASCADE", primary_key=True
    )
    receiver_person_id: uuid.UUID = Field(foreign_key="gateway.person.id", ondelete="CASCADE")
    drawn_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())


# what is shown ---------------------------------------------------------------------------------------
class Exclusion(SQLModel):
    giver_person_id: uuid.UUID
    receiver_person_id: uuid.UUID


class Pick(SQLModel):
    """A pick the caller may see: their own, or that of a person who is not a member, as organizer."""

    giver_person_id: uuid.UUID
    giver_name: str
    receiver_person_id: uuid.UUID
    receiver_name: str
    as_proxy: bool = Field(description="The giver is not a member: you see it as the organizer.")
    wish_list_ids: list[uuid.UUID] = Field(
        description="The receiver's wish lists you may open, for this occasion first."
    )


class GiverProgress(SQLModel):
    giver_person_id: uuid.UUID
    started: bool = Field(
        description="They have claimed a gift for this exchange (never whom it is for)."
    )


class ExchangePublic(SQLModel):
    id: uuid.UUID
    household_id: uuid.UUID
    occasion_id: uuid.UUID
    organizer_id: uuid.UUID | None
    name: str
    deadline: dt.date
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str | None
    person_ids: list[uuid.UUID]
    exclusions: list[Exclusion]
    draw_round: int
    drawn_at: dt.datetime | None
    open: bool = Field(description="Before its deadline: people and the draw may still change.")
    my_picks: list[Pick] = Field(description="Only the picks you may see; never anyone else's.")
    progress: list[GiverProgress] | None = Field(
        description="For the organizer: who has started shopping. Null for everyone else."
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class MyPick(Pick):
    """A pick on the dashboard, with its exchange."""

    exchange_id: uuid.UUID
    exchange_name: str
    occasion_id: uuid.UUID
    deadline: dt.date
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str | None
