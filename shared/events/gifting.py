"""Gifting events: people, occasions, lists, gifts, list items, claims, pledges, comments, budgets.

Every event carries `hidden_from`: the members who must never learn of it (the recipients of a
surprise, the members a private list is kept from). Claims are keyed by their list item and pledges
by their gift: the item and the gift are the aggregates whose totals the claims and pledges must
respect, so their events stay in order on one partition.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from shared.events import Event


# people ------------------------------------------------------------------------------------------
class PersonEvent(Event):
    topic: ClassVar[str] = "person"

    person_id: UUID

    def aggregate_id(self) -> UUID:
        return self.person_id


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

    occasion_id: UUID

    def aggregate_id(self) -> UUID:
        return self.occasion_id


class OccasionFacts(OccasionEvent):
    """What reminder and recurrence consumers need to act without calling back."""

    name: str
    kind: str
    date: date
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

    list_id: UUID

    def aggregate_id(self) -> UUID:
        return self.list_id


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

    gift_id: UUID

    def aggregate_id(self) -> UUID:
        return self.gift_id


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

    tag_id: UUID
    name: str

    def aggregate_id(self) -> UUID:
        return self.tag_id


# list items --------------------------------------------------------------------------------------
class ListItemEvent(Event):
    topic: ClassVar[str] = "list_item"

    list_item_id: UUID
    list_id: UUID
    gift_id: UUID

    def aggregate_id(self) -> UUID:
        return self.list_item_id


class ListItemAdded(ListItemEvent):
    event_name: ClassVar[str] = "list_item.added"

    gift_title: str
    quantity: int
    status: str


class ListItemUpdated(ListItemEvent):
    event_name: ClassVar[str] = "list_item.updated"

    quantity: int


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

    claim_id: UUID
    list_item_id: UUID
    list_id: UUID
    gift_id: UUID
    user_id: UUID
    quantity: int  # the units this change claimed or released
    claimed_quantity: int  # all units now claimed on the item
    wanted_quantity: int

    def aggregate_id(self) -> UUID:
        return self.list_item_id


class ClaimAdded(ClaimEvent):
    event_name: ClassVar[str] = "claim.added"


class ClaimRemoved(ClaimEvent):
    event_name: ClassVar[str] = "claim.removed"


class PledgeEvent(Event):
    topic: ClassVar[str] = "claim"

    pledge_id: UUID
    gift_id: UUID
    user_id: UUID

    def aggregate_id(self) -> UUID:
        return self.gift_id


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

    comment_id: UUID
    target_kind: str  # "gift" or "list"
    target_id: UUID

    def aggregate_id(self) -> UUID:
        return self.comment_id


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
