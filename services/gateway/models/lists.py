"""Lists of gifts for one person (wish lists and idea lists), and the gifts on them as list items."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, Integer, SmallInteger, Text, text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.gifts import GiftCreate
from shared.validation import FreeText, Line


class ListKind(StrEnum):
    WISH = "wish"  # what the person asks for; they see it, without the surprises
    IDEA = "idea"  # what others think of giving them; never shown to them


class Visibility(StrEnum):
    PRIVATE = "private"  # only the member who made it
    HOUSEHOLD = "household"


class ItemStatus(StrEnum):
    IDEA = "idea"
    SELECTED = "selected"
    PURCHASED = "purchased"
    WRAPPED = "wrapped"
    GIVEN = "given"


class Priority(StrEnum):
    """How much the person wants a gift: what a list shows first."""

    MOST_WANTED = "most_wanted"
    NORMAL = "normal"
    NICE_TO_HAVE = "nice_to_have"


# stored as a rank, so a list's items sort on it (and page on it) by the column itself
PRIORITY_RANK: dict[Priority, int] = {
    Priority.MOST_WANTED: 1,
    Priority.NORMAL: 2,
    Priority.NICE_TO_HAVE: 3,
}
PRIORITY_OF_RANK: dict[int, Priority] = {rank: p for p, rank in PRIORITY_RANK.items()}
PRIORITY_DOC = "most_wanted, normal or nice_to_have: how much it is wished for; the list shows the most wanted first."


class GiftListBase(SQLModel):
    name: Line = Field(min_length=1, max_length=120)
    visibility: Visibility = Visibility.HOUSEHOLD
    occasion_id: uuid.UUID | None = None


class GiftListCreate(GiftListBase):
    kind: ListKind = ListKind.WISH
    person_id: uuid.UUID = Field(description="Whom the list is for.")


class GiftListUpdate(SQLModel):
    name: Line | None = Field(default=None, min_length=1, max_length=120)
    visibility: Visibility | None = None
    occasion_id: uuid.UUID | None = None


class GiftList(GiftListBase, GatewayModel, table=True):
    __tablename__ = "gift_list"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    name: str = Field(sa_type=Text)
    kind: ListKind = Field(sa_type=Text)
    visibility: Visibility = Field(sa_type=Text)
    person_id: uuid.UUID = Field(foreign_key="gateway.person.id", ondelete="CASCADE", index=True)
    occasion_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.occasion.id", ondelete="SET NULL"
    )
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class GiftListPublic(GiftListBase):
    name: str  # as stored: what was taken before the input rules were tightened still reads
    id: uuid.UUID
    household_id: uuid.UUID
    kind: ListKind
    person_id: uuid.UUID
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class ListItemCreate(SQLModel):
    """A gift already in the household (`gift_id`), or a new one (`gift`), on the list."""

    gift_id: uuid.UUID | None = None
    gift: GiftCreate | None = None
    quantity: int = Field(default=1, ge=1, le=99, description="How many are wanted.")
    priority: Priority = Field(default=Priority.NORMAL, description=PRIORITY_DOC)
    notes: FreeText | None = Field(
        default=None, max_length=2000, description="Seen by the wisher; keep surprises to comments."
    )


class ListItemUpdate(SQLModel):
    quantity: int | None = Field(default=None, ge=1, le=99)
    priority: Priority | None = Field(default=None, description=PRIORITY_DOC)
    notes: FreeText | None = Field(default=None, max_length=2000)


class StatusChange(SQLModel):
    status: ItemStatus


class ListItem(GatewayModel, table=True):
    __tablename__ = "list_item"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    list_id: uuid.UUID = Field(foreign_key="gateway.gift_list.id", ondelete="CASCADE")
    gift_id: uuid.UUID = Field(foreign_key="gateway.gift.id", ondelete="CASCADE", index=True)
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    # PRIORITY_RANK: 1 most wanted, 2 normal, 3 nice to have
    priority: int = Field(
        default=PRIORITY_RANK[Priority.NORMAL],
        sa_column=Column(SmallInteger, nullable=False, server_default=text("2")),
    )
    # kept by a trigger on `claim`; never written by the application
    claimed_quantity: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    status: ItemStatus = Field(default=ItemStatus.IDEA, sa_type=Text)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    purchased_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    purchased_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    added_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    notes: str | None = Field(default=None, sa_type=Text)
    # who wrote `notes`: the recipient reads them only if it was them
    notes_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class ListItemPublic(SQLModel):
    """A list item. Seen by its recipient on their own wish list, `status` is `on_my_list` and what
    would tell them about the surprise (claims, purchase, status times) is null."""

    id: uuid.UUID
    list_id: uuid.UUID
    gift_id: uuid.UUID
    gift_title: str
    quantity: int
    priority: Priority
    status: str = Field(
        description="idea, selected, purchased, wrapped, given; or on_my_list for its recipient"
    )
    claimed_quantity: int | None
    status_changed_at: datetime | None
    purchased_at: datetime | None
    purchased_by: uuid.UUID | None
    added_by: uuid.UUID | None
    notes: str | None
    created_at: datetime
    updated_at: datetime | None
