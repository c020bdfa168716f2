"""Gifts, their tags, and the people linked to them (recipient, purchaser, contributor)."""

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

import pycountry
from pydantic import AfterValidator, StringConstraints
from sqlalchemy import Boolean, Column, Numeric, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from shared.validation import FreeText, Line, OneLine

CENT = Decimal("0.01")

Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    AfterValidator(lambda d: d.quantize(CENT)),
]


def _iso_4217(code: str) -> str:
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError("is not a currency code we know: use three letters like EUR, GBP or USD")
    return code


Currency = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True), AfterValidator(_iso_4217)
]
TagName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40),
    OneLine,
]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http or https address, like https://example.com/item")
    return value


WebAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2048),
    OneLine,
    AfterValidator(_http_url),
]


def money_column(nullable: bool = False) -> Column:
    return Column(Numeric(12, 2), nullable=nullable)


class GiftRole(StrEnum):
    RECIPIENT = "recipient"
    PURCHASER = "purchaser"
    CONTRIBUTOR = "contributor"


class GiftBase(SQLModel):
    title: Line = Field(min_length=1, max_length=200)
    url: WebAddress | None = None
    price: Money | None = None
    currency: Currency | None = Field(
        default=None, description="ISO 4217 code, e.g. EUR; needed with a price"
    )
    image_url: WebAddress | None = None
    notes: FreeText | None = Field(default=None, max_length=4000)
    from_santa: bool = Field(
        default=False, description="A child recipient sees Santa as the giver."
    )


class GiftCreate(GiftBase):
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    recipient_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="People it is for."
    )


class GiftUpdate(SQLModel):
    title: Line | None = Field(default=None, min_length=1, max_length=200)
    url: WebAddress | None = None
    price: Money | None = None
    currency: Currency | None = None
    image_url: WebAddress | None = None
    notes: FreeText | None = Field(default=None, max_length=4000)
    from_santa: bool | None = None
    tags: list[TagName] | None = Field(default=None, max_length=20)


class Gift(GiftBase, GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    title: str = Field(sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)
    price: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    currency: str | None = Field(default=None, sa_type=Text)
    image_url: str | None = Field(default=None, sa_type=Text)
    notes: str | None = Field(default=None, sa_type=Text)
    # who wrote `notes`: the recipient reads them only if it was them
    notes_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    from_santa: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class GiftPersonLink(SQLModel):
    person_id: uuid.UUID
    role: GiftRole


class GiftPublic(SQLModel):
    """A gift. Seen by its recipient, `from_santa` is null, only recipients are among `people`, and a
    child recipient of a gift from Santa finds `giver` = "Santa"."""

    id: uuid.UUID
    household_id: uuid.UUID
    title: str
    url: str | None
    price: Decimal | None
    currency: str | None
    image_url: str | None
    notes: str | None
    from_santa: bool | None
    giver: str | None = None
    tags: list[str]
    people: list[GiftPersonLink]
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class GiftPerson(GatewayModel, table=True):
    __tablename__ = "gift_person"

    gift_id: uuid.UUID = Field(foreign_key="gateway.gift.id", ondelete="CASCADE", primary_key=True)
    person_id: uuid.UUID = Field(
        foreign_key="gateway.person.id", ondelete="CASCADE", primary_key=True
    )
    role: GiftRole = Field(sa_type=Text, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class Tag(GatewayModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(foreign_key="gateway.household.id", ondelete="CASCADE")
    name: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class TagPublic(SQLModel):
    id: uuid.UUID
    name: str
    created_at: datetime


class GiftTag(GatewayModel, table=True):
    __tablename__ = "gift_tag"

    gift_id: uuid.UUID = Field(foreign_key="gateway.gift.id", ondelete="CASCADE", primary_key=True)
    tag_id: uuid.UUID = Field(foreign_key="gateway.tag.id", ondelete="CASCADE", primary_key=True)
