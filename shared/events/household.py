"""Household events: the household itself, its members and their roles, invitations.

All of them are on the `household` topic, keyed by the household id, so one household's membership
changes arrive in order. `actor_id` is the user who made the change. No secrets: never codes, tokens
or e-mail addresses.
"""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from shared.events import Event
from shared.validation import TimeZoneName


class HouseholdEvent(Event):
    topic: ClassVar[str] = "household"
    aggregate_field: ClassVar[str] = "household_id"


class HouseholdCreated(HouseholdEvent):
    """The creator (`actor_id`) is the household's first admin; there is no member.joined for them."""

    event_name: ClassVar[str] = "household.created"

    name: str
    created_at: datetime
    timezone: TimeZoneName = "UTC"
    creator_display_name: str | None = None
    # the creator's e-mail address, sealed for the mail channel (shared.sealed, purpose "address")
    sealed_creator_address: str | None = None


class HouseholdUpdated(HouseholdEvent):
    """The household as it is now, and which fields changed."""

    event_name: ClassVar[str] = "household.updated"

    name: str
    timezone: TimeZoneName
    changed: tuple[str, ...]


class MemberJoined(HouseholdEvent):
    event_name: ClassVar[str] = "member.joined"

    user_id: UUID
    display_name: str
    role: str
    invitation_id: UUID | None = None
    joined_at: datetime
    # the member's e-mail address, sealed for the mail channel (shared.sealed, purpose "address")
    sealed_address: str | None = None


class MemberRoleChanged(HouseholdEvent):
    event_name: ClassVar[str] = "member.role_changed"

    user_id: UUID
    old_role: str
    new_role: str


class MemberRemoved(HouseholdEvent):
    """A member left (`actor_id` == `user_id`) or an admin removed them."""

    event_name: ClassVar[str] = "member.removed"

    user_id: UUID
    role: str


class InvitationCreated(HouseholdEvent):
    event_name: ClassVar[str] = "invitation.created"

    invitation_id: UUID
    role: str
    expires_at: datetime
    # set when the admin had it mailed: {"address", "code", "household_name", "invited_by"}, sealed
    # for the mail channel (shared.sealed, purpose "invitation")
    sealed_mail: str | None = None


class InvitationRevoked(HouseholdEvent):
    event_name: ClassVar[str] = "invitation.revoked"

    invitation_id: UUID


class CalendarFeedCreated(HouseholdEvent):
    """A member made a private calendar subscription address (never the address itself)."""

    event_name: ClassVar[str] = "calendar_feed.created"

    feed_id: UUID
    user_id: UUID
    name: str


class CalendarFeedRevoked(HouseholdEvent):
    """A member revoked one of their calendar subscription addresses: it no longer answers."""

    event_name: ClassVar[str] = "calendar_feed.revoked"

    feed_id: UUID
    user_id: UUID
