"""Households."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow


class HouseholdBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)


class HouseholdCreate(HouseholdBase):
    pass


class Household(HouseholdBase, GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class HouseholdPublic(HouseholdBase):
    id: uuid.UUID
    created_at: datetime
