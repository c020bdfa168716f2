"""Calendar subscriptions: a member's private iCalendar address, one secret token per calendar app.

Only the token's hash is stored; the address is shown once, when it is made. A feed is the member's
own: it shows what that member may see, and stops with a revocation or when the member leaves."""

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from shared.validation import Line


class CalendarFeed(GatewayModel, table=True):
    __tablename__ = "calendar_feed"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    user_id: uuid.UUID = Field(foreign_key="gateway.user_account.id", ondelete="CASCADE")
    token_hash: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    name: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class CalendarFeedCreate(SQLModel):
    name: Line = Field(
        default="My calendar",
        min_length=1,
        max_length=80,
        description='Where it is used, to tell subscriptions apart (e.g. "Ada\'s phone").',
    )


class CalendarFeedPublic(SQLModel):
    id: uuid.UUID
    name: str
    created_at: datetime


class CalendarFeedWithUrl(CalendarFeedPublic):
    url: str = Field(
        description="The private address to subscribe to, shown only in this answer: anyone who has "
        "it can read the feed, so revoke it if it is shared by mistake."
    )
