"""Claims (a member will get units of a list item) and pledges (a member chips in toward a gift)."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Integer, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.gifts import Currency, Money, money_column


class ClaimCreate(SQLModel):
    quantity: int = Field(
        default=1, ge=1, le=99, description="Units to claim, on top of any you hold."
    )
    exchange_id: uuid.UUID | None = Field(
        default=None,
        description="A gift exchange in which you (or a person you are the organizer for) drew "
        "this gift's recipient: the claim counts as that giver's gift, and nobody else learns who "
        "made it.",
    )


class Claim(GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    list_item_id: uuid.UUID = Field(foreign_key="gateway.list_item.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(
        foreign_key="gateway.user_account.id", ondelete="CASCADE", index=True
    )
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    # the gift exchange it was made for: it counts as the giver's gift there, and is theirs to know
    exchange_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.exchange.id", ondelete="SET NULL", index=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class ClaimPublic(SQLModel):
    id: uuid.UUID
    list_item_id: uuid.UUID
    user_id: uuid.UUID
    quantity: int
    exchange_id: uuid.UUID | None = Field(
        default=None, description="The gift exchange it counts for (only its claimer sees it)."
    )
    created_at: datetime
    updated_at: datetime


class MyClaim(ClaimPublic):
    """One of the caller's claims, with what they need to go and buy it."""

    list_id: uuid.UUID
    gift_id: uuid.UUID
    gift_title: str
    person_id: uuid.UUID
    status: str
    price: Decimal | None
    currency: str | None


class PledgeSet(SQLModel):
    amount: Money = Field(gt=0)
    currency: Currency | None = Field(default=None, description="Defaults to the gift's currency.")


class Pledge(GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    gift_id: uuid.UUID = Field(foreign_key="gateway.gift.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="gateway.user_account.id", ondelete="CASCADE")
    amount: Decimal = Field(sa_column=money_column())
    currency: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class PledgePublic(SQLModel):
    id: uuid.UUID
    gift_id: uuid.UUID
    user_id: uuid.UUID
    amount: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime
