"""Comments on gifts and lists. A comment has exactly one target column; the task domain adds its own."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from shared.validation import FreeText


class TargetKind(StrEnum):
    GIFT = "gift"
    LIST = "list"


class CommentCreate(SQLModel):
    body: FreeText = Field(min_length=1, max_length=4000)
    surprise: bool | None = Field(
        default=None,
        description="Kept from the gift's or list's recipients. Defaults to true, or false when you are one.",
    )


class CommentUpdate(SQLModel):
    body: FreeText = Field(min_length=1, max_length=4000)


class Comment(GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    gift_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.gift.id", ondelete="CASCADE"
    )
    list_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.gift_list.id", ondelete="CASCADE"
    )
    author_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    body: str = Field(sa_type=Text)
    surprise: bool = Field(sa_column=Column(Boolean, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())

    @property
    def target(self) -> tuple[TargetKind, uuid.UUID]:
        if self.gift_id is not None:
            return TargetKind.GIFT, self.gift_id
        assert self.list_id is not None, "a comment is on a gift or on a list (a CHECK says so)"
        return TargetKind.LIST, self.list_id


class CommentPublic(SQLModel):
    id: uuid.UUID
    target_kind: TargetKind
    target_id: uuid.UUID
    author_id: uuid.UUID | None
    body: str
    surprise: bool
    created_at: datetime
    updated_at: datetime
