"""Surprise protection: what one member may learn about lists, gifts, list items and their comments.

Pure rules over plain facts, with no database, so every read path (REST, dashboard, the `hidden_from`
of events) asks the same questions and the rules can be tested on their own:

* A list kept private is seen only by the member who made it, and so are the gifts only on such lists.
* A member sees their own wish list, but its items only *redacted*: what and how many, never who
  claimed or bought it, its status beyond "on my list", pledges or surprise comments.
* Idea lists about a member, and gifts for them that are not on their own wish list, are hidden.
* A gift "from Santa" is hidden from the household's children unless it is for them; a child who is
  its recipient sees Santa as the giver.
* A gift exchange's pick (who draws whom) is seen only by its giver's member; the pick of a giver who
  is no member, by the exchange's organizer, their proxy. Nobody else, organizer and admins included.
* A gift in a person's history that the household gave stays hidden from them until its reveal (the
  household's setting, as it is when read); what they recorded as received is theirs from the start.
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

from services.gateway.models.gifts import Gift, GiftPersonLink, GiftPublic, GiftRole
from services.gateway.models.lists import PRIORITY_OF_RANK, ListItem, ListItemPublic

ON_MY_LIST = "on_my_list"
SANTA = "Santa"


class View(Enum):
    FULL = "full"
    REDACTED = "redacted"  # the recipient's view of their own wishes
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Viewer:
    """A member as the rules see them: who they are in the household's list of people."""

    user_id: UUID
    is_child: bool = False
    person_ids: frozenset[UUID] = frozenset()  # the household's people linked to this member


@dataclass(frozen=True)
class ListFacts:
    owner_person_id: UUID
    kind: str  # "wish" or "idea"
    visibility: str  # "private" or "household"
    created_by: UUID | None


@dataclass(frozen=True)
class GiftFacts:
    recipient_person_ids: frozenset[UUID]  # linked as recipients, plus the owners of lists it is on
    from_santa: bool = False
    lists: tuple[ListFacts, ...] = ()  # the lists it sits on
    created_by: UUID | None = None


def is_own_wish_list(viewer: Viewer, lst: ListFacts) -> bool:
    return lst.kind == "wish" and lst.owner_person_id in viewer.person_ids


def list_view(viewer: Viewer, lst: ListFacts) -> View:
    if lst.visibility == "private" and lst.created_by != viewer.user_id:
        return View.HIDDEN
    if lst.owner_person_id in viewer.person_ids:
        return View.REDACTED if lst.kind == "wish" else View.HIDDEN
    return View.FULL


def gift_view(viewer: Viewer, gift: GiftFacts) -> View:
    if gift.recipient_person_ids & viewer.person_ids:
        on_own_wish_list = any(
            is_own_wish_list(viewer, lst) and list_view(viewer, lst) is not View.HIDDEN
            for lst in gift.lists
        )
        return View.REDACTED if on_own_wish_list else View.HIDDEN
    if gift.from_santa and viewer.is_child:
        return View.HIDDEN
    if (
        gift.lists
        and gift.created_by != viewer.user_id
        and all(list_view(viewer, lst) is View.HIDDEN for lst in gift.lists)
    ):
        return (
            View.HIDDEN
        )  # it lives only on lists kept from the viewer, e.g. someone's private list
    return View.FULL


def item_view(viewer: Viewer, lst: ListFacts, gift: GiftFacts) -> View:
    """A gift on one list: the stricter of what the viewer may see of the list and of the gift."""
    of_list = list_view(viewer, lst)
    if of_list is View.HIDDEN:
        return View.HIDDEN
    recipients = gift.recipient_person_ids | {lst.owner_person_id}
    if recipients & viewer.person_ids:
        return View.REDACTED if is_own_wish_list(viewer, lst) else View.HIDDEN
    if gift.from_santa and viewer.is_child:
        return View.HIDDEN
    return View.FULL


def comment_visible(viewer: Viewer, target: View, surprise: bool, author_id: UUID) -> bool:
    """Comments follow their gift or list; surprise comments also stay away from its recipients."""
    if target is View.HIDDEN:
        return False
    return target is View.FULL or not surprise or author_id == viewer.user_id


def person_facts_visible(viewer: Viewer, person_id: UUID) -> bool:
    """Budgets, coverage and spend about a person are never shown to that person."""
    return person_id not in viewer.person_ids


def shown_status(view: View, status: str) -> str:
    return ON_MY_LIST if view is View.REDACTED else status


def shown_notes(
    viewer: Viewer, view: View, notes: str | None, written_by: UUID | None
) -> str | None:
    """A recipient reads only the notes they wrote themselves ("size M please"), not the givers'."""
    return notes if view is View.FULL or written_by == viewer.user_id else None


def shown_giver(viewer: Viewer, view: View, from_santa: bool) -> str | None:
    """Who the gift is from, as its recipient may see it: Santa for a child, nobody otherwise."""
    return SANTA if view is View.REDACTED and from_santa and viewer.is_child else None


def pick_viewers(
    members: Iterable[Viewer], giver_person_id: UUID, organizer_id: UUID | None
) -> frozenset[UUID]:
    """The members who may see a gift exchange giver's pick: whoever is linked to the giver now, or,
    for a giver who is no member, the organizer."""
    linked = frozenset(m.user_id for m in members if giver_person_id in m.person_ids)
    if linked:
        return linked
    return frozenset({organizer_id}) if organizer_id is not None else frozenset()


# whoever might be linked to a person later: a plain grown-up member, looked at with one person's link
SOMEONE = UUID(int=0)


@dataclass(frozen=True)
class Hidden:
    """Whom an event must never reach. `users`: the members who may not see it now. `persons`: the
    people whose member must never see it, whoever is linked to them later — so a person linked to a
    member after the fact hides everything earlier too, in every stored copy (notifications, the stream,
    the audit log), which is checked when it is read, with the links as they are then."""

    users: tuple[UUID, ...] = ()
    persons: tuple[UUID, ...] = ()

    @property
    def fields(self) -> dict[str, tuple[UUID, ...]]:
        """As the event fields `hidden_from` and `hidden_persons`."""
        return {"hidden_from": self.users, "hidden_persons": self.persons}


def hidden(
    members: Iterable[Viewer],
    view_of: Callable[[Viewer], View],
    *,
    about: Iterable[UUID],
    seen: Collection[View] = (View.FULL,),
) -> Hidden:
    """Who must not learn of an event whose subject each viewer sees as `view_of(viewer)`: the members
    whose view is not in `seen` (by default, all who do not see it in full), and of the people in
    `about` (its recipients, the owners of its lists), each one a member linked to them would not see
    it as. `view_of` is e.g. `lambda v: item_view(v, lst, gift)`."""
    users = sorted((m.user_id for m in members if view_of(m) not in seen), key=str)
    persons = sorted(
        {p for p in about if view_of(Viewer(SOMEONE, person_ids=frozenset({p}))) not in seen},
        key=str,
    )
    return Hidden(tuple(users), tuple(persons))


def gift_hidden(members: Iterable[Viewer], gift: GiftFacts) -> Hidden:
    """Who must not learn of an event about `gift` (and its pledges): all who do not see it in full,
    and its recipients, whoever is linked to them later."""
    return hidden(members, lambda v: gift_view(v, gift), about=gift.recipient_person_ids)


# what a viewer is shown -------------------------------------------------------------------------
def shown_item(viewer: Viewer, view: View, item: Any, gift_title: str) -> dict[str, Any]:
    """A list item's fields as `viewer` is shown them; `item` is a ListItem or a row with its columns
    (the reads that compose their answer in one query pass plain rows)."""
    full = view is View.FULL
    return {
        "id": item.id,
        "list_id": item.list_id,
        "gift_id": item.gift_id,
        "gift_title": gift_title,
        "quantity": item.quantity,
        "priority": PRIORITY_OF_RANK[
            item.priority
        ],  # the wisher's word, about the wish, not the gift
        "status": shown_status(view, item.status),
        "claimed_quantity": item.claimed_quantity if full else None,
        "status_changed_at": item.status_changed_at if full else None,
        "purchased_at": item.purchased_at if full else None,
        "purchased_by": item.purchased_by if full else None,
        "added_by": item.added_by,
        "notes": shown_notes(viewer, view, item.notes, item.notes_by),
        "created_at": item.created_at,
        "updated_at": item.updated_at if full else None,
    }


def present_item(viewer: Viewer, view: View, item: ListItem, gift_title: str) -> ListItemPublic:
    return ListItemPublic(**shown_item(viewer, view, item, gift_title))


def shown_gift(
    viewer: Viewer, view: View, gift: Any, tags: list[str], people: list[dict[str, Any]]
) -> dict[str, Any]:
    """A gift's fields as `viewer` is shown them; `gift` is a Gift or a row with its columns, `people`
    its links as `{"person_id", "role"}`."""
    full = view is View.FULL
    return {
        "id": gift.id,
        "household_id": gift.household_id,
        "title": gift.title,
        "url": gift.url,
        "price": gift.price,
        "currency": gift.currency,
        "image_url": gift.image_url,
        "notes": shown_notes(viewer, view, gift.notes, gift.notes_by),
        "from_santa": gift.from_santa if full else None,
        "giver": shown_giver(viewer, view, gift.from_santa),
        "tags": tags,
        "people": people if full else [p for p in people if p["role"] == GiftRole.RECIPIENT],
        "created_by": gift.created_by,
        "created_at": gift.created_at,
        "updated_at": gift.updated_at,
    }


def present_gift(
    viewer: Viewer, view: View, gift: Gift, tags: list[str], people: list[GiftPersonLink]
) -> GiftPublic:
    links = [{"person_id": p.person_id, "role": p.role} for p in people]
    return GiftPublic(**shown_gift(viewer, view, gift, tags, links))


# gift history ------------------------------------------------------------------------------------
GIVEN = "given"  # a record of a gift the household gave
RECEIVED = "received"  # a record of a gift a member recorded as received, from anyone


@dataclass(frozen=True)
class RecordFacts:
    """A history record as the rules see it. `reveals_on`: the day its recipient may see a given
    record (None: never), from the household's reveal setting as it is now (`reveals_on`)."""

    source: str
    recipient_person_id: UUID
    from_santa: bool = False
    private_to: frozenset[UUID] = frozenset()  # not empty: the only others who may see it
    reveals_on: date | None = None
    # the others the same given gift was for (a board game for two): as much its recipients as the
    # one whose record it is, so it is a surprise for them as long as for them
    also_for: frozenset[UUID] = frozenset()


def reveals_on(reveal: str, after_days: int, occurs_on: date) -> date | None:
    """The day a given record's recipient may see it: on the occasion, some days after, or never."""
    if reveal == "at_occasion":
        return occurs_on
    if reveal == "after_days":
        return occurs_on + timedelta(days=after_days)
    return None


def is_revealed(record: RecordFacts, today: date) -> bool:
    """Whether the recipient may see the record now (`today`: the household's local date)."""
    if record.source == RECEIVED:
        return True
    return record.reveals_on is not None and today >= record.reveals_on


def record_view(viewer: Viewer, record: RecordFacts, today: date) -> View:
    """What `viewer` may see of a history record: a given record stays hidden from its recipient until
    its reveal; a gift from Santa from the household's other children; a record kept `private_to` a
    few (a private list's, an exchange's) from everyone else. A gift for several people is each one's."""
    if record.recipient_person_id in viewer.person_ids or record.also_for & viewer.person_ids:
        return View.FULL if is_revealed(record, today) else View.HIDDEN
    if record.from_santa and viewer.is_child:
        return View.HIDDEN
    if record.private_to and viewer.user_id not in record.private_to:
        return View.HIDDEN
    return View.FULL


def record_hidden(members: Iterable[Viewer], record: RecordFacts) -> Hidden:
    """Who must not learn of an event about a record: judged as if it were never revealed, since a
    stored notification or audit entry outlives the moment it was made."""
    unrevealed = replace(record, reveals_on=None)
    return hidden(
        members,
        lambda v: record_view(v, unrevealed, date.min),
        about=(record.recipient_person_id, *sorted(record.also_for, key=str))
        if record.source == GIVEN
        else (),
    )


def santa_gives(viewer: Viewer, record: RecordFacts) -> bool:
    """Whether `viewer` is told Santa brought the gift: a child, for a gift from Santa (whom the rule
    above shows it to only once it is theirs to see)."""
    return record.from_santa and viewer.is_child
