"""Account events: what happens to a user's account outside any one household.

On the `account` topic, keyed by the user id. An account belongs to no household, so `household_id`
is the nil UUID (no household's admins see these in the audit log). The mail they cause goes to an
address that may not be in any household yet, so the address travels with the event, sealed
(shared.sealed), as does the one-time link: the audit log keeps only what nobody can open.
"""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from shared.events import Event

NO_HOUSEHOLD = UUID(int=0)


class AccountEvent(Event):
    topic: ClassVar[str] = "account"
    aggregate_field: ClassVar[str] = "user_id"

    household_id: UUID = NO_HOUSEHOLD
    user_id: UUID


class PasswordResetRequested(AccountEvent):
    """Someone asked to reset this account's password: mail it the link. `sealed_mail` holds
    {"address", "display_name", "token"} sealed with purpose "password_reset"."""

    event_name: ClassVar[str] = "account.password_reset_requested"

    reset_id: UUID
    expires_at: datetime
    sealed_mail: str
