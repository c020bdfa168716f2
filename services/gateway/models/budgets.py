"""Budgets: how much the household means to spend on one person for one occasion."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.gifts import Currency, Money, money_column


class BudgetSet(SQLModel):
    amount: Money
    currency: Currency


class Budget(GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    person_id: uuid.UUID = Field(foreign_key="gateway.person.id", ondelete="CASCADE")
    occasion_id: uuid.UUID = Field(foreign_key="gateway.occasion.id", ondelete="CASCADE")
    amount: Decimal = Field(sa_column=money_column())
    currency: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class Spend(SQLModel):
    """What is committed in one currency: claimed (not bought yet) and purchased (bought or beyond)."""

    currency: str
    claimed: Decimal
    purchased: Decimal


class BudgetPublic(SQLModel):
    id: uuid.UUID
    person_id: uuid.UUID
    occasion_id: uuid.UUID
    amount: Decimal
    currency: str
    spend: list[Spend]
    remaining: Decimal = Field(
        description="amount minus claimed and purchased spend in the budget's currency"
    )
    updated_at: datetime
