"""The gateway's tables, in its own schema: the base every table model derives from, and the outbox.
Domain tables live in one module per area (`households`, …)."""

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.db import service_metadata
from shared.outbox import outbox_table

SCHEMA = "gateway"


class GatewayModel(SQLModel, registry=registry(metadata=service_metadata(SCHEMA))):
    """Base of the gateway's table models: its own MetaData, so its tables live in its schema."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp(**kwargs) -> Column:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow, **kwargs)


outbox = outbox_table(GatewayModel.metadata)
