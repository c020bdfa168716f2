"""Gift history: one gift one person received on one day, usually at an occasion, and its thank-you.

A record's `source` says where it came from: "given" — given by the household, written by the wrap-up
once the occasion's day is over (or when an item is marked given), one per list item and recipient
ever; "received" — recorded by a member, from anyone, inside the household or not. A given record is a
surprise until its reveal (the household's `reveal` setting, applied when it is read): who may see it is
`surprise.record_view`. `private_to`, when not empty, are the only members besides the revealed
recipient who may see it (a gift on a private list, a gift exchange's claim). An occasion's day, once
wrapped up, is one `occasion_wrap_up` row, so it is announced once, whichever gateway replica ran it.
"""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.gifts import Currency, Money, money_column
from shared.validation import CalendarDate, FreeText, Line, OneLine

NO_IDS = text("'{}'::uuid[]")


def _ids_column() -> Column:
    return Column(ARRAY(PgUUID(as_uuid=True)), nullable=False, server_default=NO_IDS)


class GiftRecord(GatewayModel, table=True):
    __tablename__ = "gift_record"
    __table_args__ = (
        CheckConstraint("source IN ('given', 'received')", name="source"),
        UniqueConstraint("list_item_id", "recipient_person_id"),  # given once, ever
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    source: str = Field(sa_type=Text)
    recipient_person_id: uuid.UUID = Field(
        foreign_key="gateway.person.id", ondelete="CASCADE", index=True
    )
    occasion_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.occasion.id", ondelete="SET NULL"
    )
    occasion_name: str | None = Field(default=None, sa_type=Text)
    occurs_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    title: str = Field(sa_type=Text)
    price: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    currency: str | None = Field(default=None, sa_type=Text)
    gift_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.gift.id", ondelete="SET NULL"
    )
    list_item_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.list_item.id", ondelete="SET NULL"
    )
    from_santa: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    giver_user_ids: list[uuid.UUID] = Field(default_factory=list, sa_column=_ids_column())
    giver_person_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.person.id", ondelete="SET NULL", index=True
    )
    giver_name: str | None = Field(default=None, sa_type=Text)
    private_to: list[uuid.UUID] = Field(default_factory=list, sa_column=_ids_column())
    notes: str | None = Field(default=None, sa_type=Text)
    thanked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    thanked_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    thank_task_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.task.id", ondelete="SET NULL"
    )
    # when its recipient's members were told their gifts are revealed (so they are told once)
    revealed_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    recorded_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())


class OccasionWrapUp(GatewayModel, table=True):
    """One occasion's day, over and recorded in the history."""

    __tablename__ = "occasion_wrap_up"

    occasion_id: uuid.UUID = Field(
        foreign_key="gateway.occasion.id", ondelete="CASCADE", primary_key=True
    )
    occurs_on: dt.date = Field(sa_column=Column(Date, primary_key=True))
    household_id: uuid.UUID = Field(foreign_key="gateway.household.id", ondelete="CASCADE")
    gifts: int = Field(sa_column=Column(Integer, nullable=False))
    wrapped_up_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())


# the API -------------------------------------------------------------------------------------------
# the constraints inside the optional type: on the field, pydantic would call a long name "too many entries"
GiverName = Annotated[str, StringConstraints(min_length=1, max_length=120), OneLine]


class RecordSource(StrEnum):
    GIVEN = "given"  # given by the household, recorded when the occasion was over
    RECEIVED = "received"  # recorded by a member, from anyone


class ReceivedGiftCreate(SQLModel):
    """A gift someone received, from a person of the household or from someone outside it."""

    recipient_person_id: uuid.UUID = Field(
        description="Who received it: a person of the household."
    )
    giver_person_id: uuid.UUID | None = Field(
        default=None, description="Who gave it, if they are a person of the household."
    )
    giver_name: GiverName | None = Field(
        default=None,
        description="Who gave it, if they are not a person of the household (e.g. Aunt Ruth). "
        "Exactly one of giver_person_id and giver_name.",
    )
    title: Line = Field(min_length=1, max_length=200)
    received_on: CalendarDate = Field(description="The day it was received; not in the future.")
    occasion_id: uuid.UUID | None = None
    price: Money | None = None
    currency: Currency | None = Field(
        default=None, description="ISO 4217 code, e.g. EUR; needed with a price"
    )
    notes: FreeText | None = Field(default=None, max_length=4000)


class ThanksUpdate(SQLModel):
    thanked: bool = Field(description="Whether the thank-you has been said.")


class ThankYouTaskCreate(SQLModel):
    due_in_days: int = Field(
        default=3,
        ge=0,
        le=60,
        description="Days after the gift (or after today, if later); due at 18:00 household time.",
    )
    assignee_id: uuid.UUID | None = Field(
        default=None,
        description="A member of the household; by default the recipient's own account, else the caller.",
    )


class Giver(SQLModel):
    user_id: uuid.UUID | None = Field(description="The member who gave it, if a member did.")
    person_id: uuid.UUID | None = Field(description="The person of the household who gave it.")
    name: str


class GiftRecordPublic(SQLModel):
    id: uuid.UUID
    household_id: uuid.UUID
    source: RecordSource
    recipient_person_id: uuid.UUID
    recipient_name: str
    occasion_id: uuid.UUID | None
    occasion_name: str | None
    occurs_on: dt.date = Field(description="The day it was given or received.")
    year: int
    title: str
    price: Decimal | None
    currency: str | None
    gift_id: uuid.UUID | None
    notes: str | None
    givers: list[Giver] = Field(
        description="Who gave it, as the caller may know: a child is told Santa for Santa's gifts."
    )
    giver_person_id: uuid.UUID | None
    giver_name: str | None
    revealed: bool = Field(description="Whether its recipient may see it now.")
    reveals_on: dt.date | None = Field(
        description="The day a given gift is shown to its recipient (the household's reveal "
        "setting, as it is now); none for a received gift, or when the setting is never."
    )
    thanked: bool
    thanked_at: dt.datetime | None
    thank_task_id: uuid.UUID | None
    recorded_by: uuid.UUID | None
    created_at: dt.datetime


class PersonHistoryOccasion(SQLModel):
    """One occasion (or, without one, one day) of a person's history."""

    occasion_id: uuid.UUID | None
    occasion_name: str | None
    occurs_on: dt.date
    to_them: list[GiftRecordPublic] = Field(description="What they received.")
    from_them: list[GiftRecordPublic] = Field(description="What they gave.")


class PersonHistoryYear(SQLModel):
    year: int
    occasions: list[PersonHistoryOccasion]


class PersonHistory(SQLModel):
    person_id: uuid.UUID
    name: str
    years: list[PersonHistoryYear] = Field(description="Newest first.")
