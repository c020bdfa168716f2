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
from sqlmodel import Field

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.gifts import money_column

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
