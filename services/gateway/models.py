"""The gateway's tables, in its own schema."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import service_metadata
from shared.outbox import outbox_table

SCHEMA = "gateway"


class GatewayModel(SQLModel, registry=registry(metadata=service_metadata(SCHEMA))):
    """Base of the gateway's table models: its own MetaData, so its tables live in its schema."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp(**kwargs) -> Column:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow, **kwargs)


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


outbox = outbox_table(GatewayModel.metadata)
