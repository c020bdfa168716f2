"""Gift history events: a gift entered in a person's history, a thank-you, an occasion wrapped up and
the moment its gifts are revealed to their recipient.

A history record is one gift one person received at one occasion (or on one day): either given by the
household (`source` = "given", recorded by the wrap-up once the occasion's day is over, or when an item
is marked given) or recorded by a member as received from anyone, inside the household or not
(`source` = "received"). Records are on the `history` topic, keyed by the record id; the wrap-up and the
reveal are about an occasion and go on its topic, keyed by the occasion id.

A "given" record is a surprise until its reveal: its recipient is in `hidden_persons`, so no member
linked to them, now or later, learns of it from a notification, the stream or the audit log. Who may
read the history itself is decided when it is read (`surprise.record_view`), with the household's reveal
setting as it is then.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from shared.events import Event


class HistoryEvent(Event):
    topic: ClassVar[str] = "history"
    aggregate_field: ClassVar[str] = "record_id"

    record_id: UUID
    person_id: UUID  # who received the gift


class GiftRecorded(HistoryEvent):
    """A gift entered in `person_id`'s history. `giver_names`: as the household knows them (members'
    names, or the name typed for someone outside the household)."""

    event_name: ClassVar[str] = "gift_record.recorded"

    source: str  # "given" or "received"
    title: str
    occurs_on: date
    occasion_id: UUID | None = None
    occasion_name: str | None = None
    giver_person_id: UUID | None = None
    giver_names: tuple[str, ...] = ()
    price: Decimal | None = None
    currency: str | None = None


class GiftRecordDeleted(HistoryEvent):
    event_name: ClassVar[str] = "gift_record.deleted"


class GiftThanked(HistoryEvent):
    """The thank-you for a record was said (`thanked`), or taken back."""

    event_name: ClassVar[str] = "gift_record.thanked"

    title: str
    thanked: bool
    giver_person_id: UUID | None = None


class OccasionWrappedUp(Event):
    """An occasion's day (`occurs_on`) is over and its gifts are in the history: `gifts` records, for
    `person_ids`. Hidden from those people, whose gifts stay a surprise until the reveal."""

    topic: ClassVar[str] = "occasion"
    aggregate_field: ClassVar[str] = "occasion_id"
    event_name: ClassVar[str] = "occasion.wrapped_up"

    occasion_id: UUID
    name: str
    occurs_on: date
    gifts: int
    person_ids: tuple[UUID, ...] = ()


class GiftsRevealed(Event):
    """The gifts `person_id` received at an occasion may now be seen by them (the household's reveal
    setting); `only_for` their members, the only ones it is news to."""

    topic: ClassVar[str] = "occasion"
    aggregate_field: ClassVar[str] = "occasion_id"
    event_name: ClassVar[str] = "occasion.gifts_revealed"

    occasion_id: UUID
    name: str
    occurs_on: date
    person_id: UUID
    gifts: int
