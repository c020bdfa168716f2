"""Who hears about an event: pure rules over the household's members, the event and preferences.

* Nobody in the event's `hidden_from` ever hears of it, in any form (surprise protection), and when it
  names `only_for` (a gift exchange's pick), nobody else does.
* Entity-changed messages go to every other member, and to the actor too: their other tabs refresh.
* A notification never goes to its actor, and only to members who want that kind and have not muted its list.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from shared.events import Event

KINDS = (
    "gift",
    "list",
    "claim",
    "comment",
    "occasion",
    "task",
    "reminder",
    "exchange",
    "history",
)


@dataclass(frozen=True)
class Preferences:
    disabled_kinds: frozenset[str] = frozenset()
    muted_list_ids: frozenset[UUID] = frozenset()

    def wants(self, kind: str, list_id: UUID | None) -> bool:
        return kind not in self.disabled_kinds and (
            list_id is None or list_id not in self.muted_list_ids
        )


DEFAULT_PREFERENCES = Preferences()


@dataclass(frozen=True)
class Notice:
    """A notification to send about an event, before it is addressed to anyone."""

    kind: str
    text: str
    entity: str
    entity_id: UUID
    list_id: UUID | None = None  # members who muted this list are not told
    only_to: frozenset[UUID] | None = field(
        default=None
    )  # a narrower audience, e.g. a task's assignee


def may_hear(user_id: UUID, event: Event) -> bool:
    return event.may_reach(user_id)


def stream_audience(members: Iterable[UUID], event: Event) -> list[UUID]:
    """Who receives the entity-changed message of `event`."""
    return [m for m in members if may_hear(m, event)]


def notification_audience(
    members: Iterable[UUID], event: Event, notice: Notice, preferences: Mapping[UUID, Preferences]
) -> list[UUID]:
    """Who is notified of `event`: never its actor, never a hidden member, only who wants it."""
    return [
        m
        for m in members
        if m != event.actor_id
        and may_hear(m, event)
        and (notice.only_to is None or m in notice.only_to)
        and preferences.get(m, DEFAULT_PREFERENCES).wants(notice.kind, notice.list_id)
    ]
