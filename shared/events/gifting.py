"""Gifting events: people, occasions, lists, gifts, list items, claims, pledges, comments, budgets.

Every event carries `hidden_from`: the members who must never learn of it (the recipients of a
surprise, the members a private list is kept from). Claims are keyed by their list item and pledges
by their gift: the item and the gift are the aggregates whose totals the claims and pledges must
respect, so their events stay in order on one partition.
"""

from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from shared.events import Event
from shared.validation import CalendarDate


# people ------------------------------------------------------------------------------------------
class PersonEvent(Event):
    topic: ClassVar[str] = "person"
    aggregate_field: ClassVar[str] = "person_id"

    person_id: UUID


class PersonCreated(PersonEvent):
    event_name: ClassVar[str] = "person.created"

    name: str
    linked_user_id: UUID | None = None


class PersonUpdated(PersonEvent):
    event_name: ClassVar[str] = "person.updated"

    name: str
    linked_user_id: UUID | None = None


class PersonDeleted(PersonEvent):
    event_name: ClassVar[str] = "person.deleted"


class BudgetSet(PersonEvent):
    """A budget for one person at one occasion; hidden from that person."""

    event_name: ClassVar[str] = "budget.set"

    occasion_id: UUID
    amount: Decimal
    currency: str


class BudgetRemoved(PersonEvent):
    event_name: ClassVar[str] = "budget.removed"

    occasion_id: UUID


# occasions ---------------------------------------------------------------------------------------
class OccasionEvent(Event):
    topic: ClassVar[str] = "occasion"
    aggregate_field: ClassVar[str] = "occasion_id"

    occasion_id: UUID


class OccasionFacts(OccasionEvent):
    """What reminder and recurrence consumers need to act without calling back."""

    name: str
    kind: str
    date: CalendarDate
    recurs_yearly: bool
    person_ids: tuple[UUID, ...] = ()


class OccasionCreated(OccasionFacts):
    event_name: ClassVar[str] = "occasion.created"


class OccasionUpdated(OccasionFacts):
    event_name: ClassVar[str] = "occasion.updated"


class OccasionDeleted(OccasionEvent):
    event_name: ClassVar[str] = "occasion.deleted"


# lists -------------------------------------------------------------------------------------------
class ListEvent(Event):
    topic: ClassVar[str] = "list"
    aggregate_field: ClassVar[str] = "list_id"

    list_id: UUID


class ListFacts(ListEvent):
    name: str
    kind: str
    visibility: str
    person_id: UUID
    occasion_id: UUID | None = None


class ListCreated(ListFacts):
    event_name: ClassVar[str] = "list.created"


class ListUpdated(ListFacts):
    event_name: ClassVar[str] = "list.updated"


class ListDeleted(ListEvent):
    event_name: ClassVar[str] = "list.deleted"


# gifts -------------------------------------------------------------------------------------------
class GiftEvent(Event):
    topic: ClassVar[str] = "gift"
    aggregate_field: ClassVar[str] = "gift_id"

    gift_id: UUID


class GiftFacts(GiftEvent):
    title: str
    price: Decimal | None = None
    currency: str | None = None
    tags: tuple[str, ...] = ()
    recipient_person_ids: tuple[UUID, ...] = ()
    from_santa: bool = False


class GiftCreated(GiftFacts):
    event_name: ClassVar[str] = "gift.created"


class GiftUpdated(GiftFacts):
    """Also sent when people are linked to or unlinked from the gift."""

    event_name: ClassVar[str] = "gift.updated"


class GiftDeleted(GiftEvent):
    event_name: ClassVar[str] = "gift.deleted"


class TagDeleted(Event):
    topic: ClassVar[str] = "gift"
    event_name: ClassVar[str] = "tag.deleted"
    aggregate_field: ClassVar[str] = "tag_id"

    tag_id: UUID
    name: str


# list items --------------------------------------------------------------------------------------
class ListItemEvent(Event):
    topic: ClassVar[str] = "list_item"
    aggregate_field: ClassVar[str] = "list_item_id"

    list_item_id: UUID
    list_id: UUID
    gift_id: UUID


class ListItemAdded(ListItemEvent):
    event_name: ClassVar[str] = "list_item.added"

    gift_title: str
    quantity: int
    status: str
    priority: str = "normal"  # most_wanted, normal or nice_to_have (added later: a default)


class ListItemUpdated(ListItemEvent):
    event_name: ClassVar[str] = "list_item.updated"

    quantity: int
    priority: str = "normal"


class ListItemStatusChanged(ListItemEvent):
    event_name: ClassVar[str] = "list_item.status_changed"

    gift_title: str
    previous_status: str
    status: str


class ListItemRemoved(ListItemEvent):
    event_name: ClassVar[str] = "list_item.removed"


# claims and pledges ------------------------------------------------------------------------------
class ClaimEvent(Event):
    topic: ClassVar[str] = "claim"
    aggregate_field: ClassVar[str] = "list_item_id"

    claim_id: UUID
    list_item_id: UUID
    list_id: UUID
    gift_id: UUID
    user_id: UUID
    quantity: int  # the units this change claimed or released
    claimed_quantity: int  # all units now claimed on the item
    wanted_quantity: int


class ClaimAdded(ClaimEvent):
    event_name: ClassVar[str] = "claim.added"


class ClaimRemoved(ClaimEvent):
    event_name: ClassVar[str] = "claim.removed"


class PledgeEvent(Event):
    topic: ClassVar[str] = "claim"
    aggregate_field: ClassVar[str] = "gift_id"

    pledge_id: UUID
    gift_id: UUID
    user_id: UUID


class PledgeAdded(PledgeEvent):
    event_name: ClassVar[str] = "pledge.added"

    amount: Decimal
    currency: str


class PledgeChanged(PledgeEvent):
    event_name: ClassVar[str] = "pledge.changed"

    amount: Decimal
    currency: str


class PledgeRemoved(PledgeEvent):
    event_name: ClassVar[str] = "pledge.removed"


# comments ----------------------------------------------------------------------------------------
class CommentEvent(Event):
    topic: ClassVar[str] = "comment"
    aggregate_field: ClassVar[str] = "comment_id"

    comment_id: UUID
    target_kind: str  # "gift" or "list"
    target_id: UUID


class CommentAdded(CommentEvent):
    event_name: ClassVar[str] = "comment.added"

    author_id: UUID
    body: str
    surprise: bool


class CommentEdited(CommentEvent):
    event_name: ClassVar[str] = "comment.edited"

    body: str


class CommentDeleted(CommentEvent):
    event_name: ClassVar[str] = "comment.deleted"
