"""People the household gives to: recipients, some of them members (a linked user)."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import Column, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from shared.validation import FreeText, Line, OneLine

Word = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), OneLine
]
Interests = list[Word]
Sizes = dict[Word, Word]


class PersonBase(SQLModel):
    name: Line = Field(min_length=1, max_length=120)
    linked_user_id: uuid.UUID | None = Field(
        default=None,
        description="The member this person is, if they are one: they see their own wish lists.",
    )
    interests: Interests = Field(
        default_factory=list, max_length=50, description="e.g. ['lego', 'climbing']"
    )
    sizes: Sizes = Field(
        default_factory=dict, max_length=30, description="e.g. {'shoe': '38', 'shirt': 'M'}"
    )
    notes: FreeText | None = Field(default=None, max_length=4000)


class PersonCreate(PersonBase):
    pass


class PersonUpdate(SQLModel):
    name: Line | None = Field(default=None, min_length=1, max_length=120)
    linked_user_id: uuid.UUID | None = None
    interests: Interests | None = Field(default=None, max_length=50)
    sizes: Sizes | None = Field(default=None, max_length=30)
    notes: FreeText | None = Field(default=None, max_length=4000)


class Person(PersonBase, GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    name: str = Field(sa_type=Text)
    linked_user_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    interests: Interests = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    sizes: Sizes = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    notes: str | None = Field(default=None, sa_type=Text)
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class PersonPublic(PersonBase):
    name: str  # as stored: what was taken before the input rules were tightened still reads
    notes: str | None = None
    interests: list[str] = Field(default_factory=list)
    sizes: dict[str, str] = Field(default_factory=dict)
    id: uuid.UUID
    household_id: uuid.UUID
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
