"""Households, their members with roles, and invitations to join them."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr
from sqlalchemy import CheckConstraint, Column, DateTime, Integer, Text, text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from shared.validation import Line, TimeZoneName


class Role(StrEnum):
    ADMIN = "admin"
    ADULT = "adult"
    CHILD = "child"


ROLES_SQL = "role IN ('admin', 'adult', 'child')"


class HouseholdBase(SQLModel):
    name: Line = Field(min_length=1, max_length=120)
    timezone: TimeZoneName = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin")


class HouseholdCreate(HouseholdBase):
    pass


class Reveal(StrEnum):
    """When the recipient of a gift may see it in their history, with who gave it."""

    AT_OCCASION = "at_occasion"
    AFTER_DAYS = "after_days"
    NEVER = "never"


REVEAL_DOC = (
    "When a gift the household gave appears in its recipient's history: on the occasion's day "
    "(at_occasion), reveal_after_days days after it (after_days), or never. Applied when the history "
    "is read: a change shows or hides gifts at once."
)
REVEAL_AFTER_DAYS_DOC = "Days after the occasion, with reveal after_days (1-365)."


class HouseholdUpdate(SQLModel):
    name: Line | None = Field(default=None, min_length=1, max_length=120)
    timezone: TimeZoneName | None = None
    reveal: Reveal | None = Field(default=None, description=REVEAL_DOC)
    reveal_after_days: int | None = Field(
        default=None, ge=1, le=365, description=REVEAL_AFTER_DAYS_DOC
    )


class Household(HouseholdBase, GatewayModel, table=True):
    __table_args__ = (
        CheckConstraint("reveal IN ('at_occasion', 'after_days', 'never')", name="reveal"),
        CheckConstraint("reveal_after_days BETWEEN 1 AND 365", name="reveal_after_days"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    timezone: str = Field(default="UTC", sa_type=Text)
    reveal: str = Field(  # a Reveal, read back as the text it is stored as
        default=Reveal.AFTER_DAYS.value,
        sa_column=Column(Text, nullable=False, server_default=Reveal.AFTER_DAYS.value),
    )
    reveal_after_days: int = Field(
        default=1, sa_column=Column(Integer, nullable=False, server_default=text("1"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class HouseholdPublic(HouseholdBase):
    name: str  # as stored: what was taken before the input rules were tightened still reads
    timezone: str
    id: uuid.UUID
    created_at: datetime


class MyHousehold(HouseholdPublic):
    """A household as one of its members sees it in their list: with their own role."""

    role: Role
    reveal: Reveal = Field(default=Reveal.AFTER_DAYS, description=REVEAL_DOC)
    reveal_after_days: int = Field(default=1, description=REVEAL_AFTER_DAYS_DOC)


class Membership(GatewayModel, table=True):
    __table_args__ = (CheckConstraint(ROLES_SQL, name="role"),)

    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", primary_key=True
    )
    user_id: uuid.UUID = Field(
        foreign_key="gateway.user_account.id", ondelete="CASCADE", primary_key=True, index=True
    )
    role: Role = Field(sa_type=Text)
    joined_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


@dataclass(frozen=True)
class Member:
    """The caller as a member of the household in the path (see deps.CurrentMember)."""

    user_id: uuid.UUID
    household_id: uuid.UUID
    role: Role
    # the household's people linked to the caller, when read together with the membership (the surprise
    # rules need them on nearly every request); None: not read, ask the database
    person_ids: frozenset[uuid.UUID] | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class MemberPublic(SQLModel):
    user_id: uuid.UUID
    display_name: str
    role: Role
    joined_at: datetime


class MemberUpdate(SQLModel):
    role: Role


class InvitationCreate(SQLModel):
    role: Role = Role.ADULT
    expires_in_hours: int = Field(default=7 * 24, ge=1, le=30 * 24)
    email: EmailStr | None = Field(
        default=None, max_length=254, description="Mail the join link to this address."
    )


class Invitation(GatewayModel, table=True):
    """An invitation to join with a role. Only the code's hash is stored; the code is shown once."""

    __table_args__ = (CheckConstraint(ROLES_SQL, name="role"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    code_hash: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    role: Role = Field(sa_type=Text)
    created_by: uuid.UUID = Field(foreign_key="gateway.user_account.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    accepted_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    accepted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # where the join link was mailed, if it was: so the admin can tell open invitations apart
    email: str | None = Field(default=None, sa_column=Column(Text))


class InvitationPublic(SQLModel):
    id: uuid.UUID
    role: Role
    email: str | None = Field(
        default=None, description="Where the join link was mailed, if it was."
    )
    created_by: uuid.UUID
    created_at: datetime
    expires_at: datetime


class InvitationWithCode(InvitationPublic):
    """Answered once, to the admin who created it: the code is not stored and cannot be shown again."""

    code: str


class InvitationPreview(SQLModel):
    """What an invitation code leads to, for the person holding it: only whom they would join."""

    household_name: str
    invited_by: str = Field(description="The display name of the admin who made the invitation.")


class InvitationAccept(SQLModel):
    code: str = Field(
        min_length=4, max_length=32, description="e.g. K7QM-3XTA; case and dashes do not matter"
    )
