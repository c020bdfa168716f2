"""Occasions: a date, a kind, the people it is for, and whether it comes back every year."""

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Boolean, Column, Date, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from shared.validation import CalendarDate, FreeText, Line


class OccasionKind(StrEnum):
    BIRTHDAY = "birthday"
    CHRISTMAS = "christmas"
    ANNIVERSARY = "anniversary"
    OTHER = "other"


class OccasionBase(SQLModel):
    name: Line = Field(min_length=1, max_length=120)
    kind: OccasionKind = OccasionKind.OTHER
    date: CalendarDate = Field(
        description="The (first) date, 1900-01-01 to 2199-12-31; a yearly occasion comes "
        "back on the same day."
    )
    recurs_yearly: bool = False
    notes: FreeText | None = Field(default=None, max_length=4000)


class OccasionCreate(OccasionBase):
    person_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=100, description="Who it is for."
    )


class OccasionUpdate(SQLModel):
    name: Line | None = Field(default=None, min_length=1, max_length=120)
    kind: OccasionKind | None = None
    date: CalendarDate | None = None
    recurs_yearly: bool | None = None
    notes: FreeText | None = Field(default=None, max_length=4000)
    person_ids: list[uuid.UUID] | None = Field(default=None, max_length=100)


class Occasion(OccasionBase, GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    name: str = Field(sa_type=Text)
    kind: OccasionKind = Field(sa_type=Text)
    date: dt.date = Field(sa_column=Column(Date, nullable=False))
    recurs_yearly: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    notes: str | None = Field(default=None, sa_type=Text)
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())


class OccasionPerson(GatewayModel, table=True):
    __tablename__ = "occasion_person"

    occasion_id: uuid.UUID = Field(
        foreign_key="gateway.occasion.id", ondelete="CASCADE", primary_key=True
    )
    person_id: uuid.UUID = Field(
        foreign_key="gateway.person.id", ondelete="CASCADE", primary_key=True
    )


class OccasionPublic(OccasionBase):
    name: str  # as stored: what was taken before the input rules were tightened still reads
    notes: str | None = None
    date: dt.date
    id: uuid.UUID
    household_id: uuid.UUID
    person_ids: list[uuid.UUID]
    next_date: dt.date | None = Field(
        description="The next time it comes, today included; none once it has passed."
    )
    created_by: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
