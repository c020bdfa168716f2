"""What members are told: the notification text of an event, and its small entity-changed message.

Pure functions of the event and the names known from earlier events (who the actor is, what a gift
or list is called), so they can be tested without a database.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from services.notification.audience import Notice
from shared.events import Event, split_type
from shared.events import exchanges as x
from shared.events import gifting as g
from shared.events import history as hi
from shared.events import tasks as t

# ids an entity-changed message may carry so a page knows whether it shows the thing that changed
REFERENCE_FIELDS = (
    "list_id",
    "gift_id",
    "list_item_id",
    "person_id",
    "occasion_id",
    "task_id",
    "target_id",
    "exchange_id",
)
# changes nobody's page shows: invitations are the admins' business and carry nothing to refresh
SILENT_ENTITIES = frozenset({"invitation"})
# changes pages know by another name than their events': a gift record, an occasion wrapped up and its
# gifts revealed are what the history shows (its screen and each person's page refresh on "history")
SHOWN_AS: dict[str, str] = {
    contract.event_name: "history"
    for contract in (
        hi.GiftRecorded,
        hi.GiftRecordDeleted,
        hi.GiftThanked,
        hi.OccasionWrappedUp,
        hi.GiftsRevealed,
    )
}


@dataclass(frozen=True)
class Names:
    members: Mapping[UUID, str] = field(default_factory=dict)  # user id -> display name
    things: Mapping[UUID, str] = field(
        default_factory=dict
    )  # gift, list, occasion, task, person id -> name
    roles: Mapping[UUID, str] = field(default_factory=dict)  # user id -> admin, adult or child
    links: Mapping[UUID, UUID] = field(default_factory=dict)  # person id -> the member they are

    def member(self, user_id: UUID | None) -> str:
        return (self.members.get(user_id) if user_id else None) or "Someone"

    def thing(self, thing_id: UUID, fallback: str) -> str:
        name = self.things.get(thing_id)
        return f"“{name}”" if name else fallback

    def grown_ups(self) -> frozenset[UUID]:
        return frozenset(u for u, role in self.roles.items() if role != "child")


def _gift_created(e: g.GiftCreated, n: Names) -> Notice:
    return Notice("gift", f"{n.member(e.actor_id)} added the gift “{e.title}”", "gift", e.gift_id)


def _list_created(e: g.ListCreated, n: Names) -> Notice:
    return Notice(
        "list",
        f"{n.member(e.actor_id)} started the {e.kind} list “{e.name}”",
        "list",
        e.list_id,
        list_id=e.list_id,
    )


def _item_added(e: g.ListItemAdded, n: Names) -> Notice:
    text = f"{n.member(e.actor_id)} added “{e.gift_title}” to {n.thing(e.list_id, 'a list')}"
    return Notice("list", text, "list_item", e.list_item_id, list_id=e.list_id)


def _status_changed(e: g.ListItemStatusChanged, n: Names) -> Notice:
    text = f"{n.member(e.actor_id)} marked “{e.gift_title}” as {e.status}"
    return Notice("gift", text, "list_item", e.list_item_id, list_id=e.list_id)


def _claim_added(e: g.ClaimAdded, n: Names) -> Notice:
    units = f"{e.quantity} × " if e.quantity > 1 else ""
    text = f"{n.member(e.actor_id)} claimed {units}{n.thing(e.gift_id, 'a gift')}"
    return Notice("claim", text, "list_item", e.list_item_id, list_id=e.list_id)


def _claim_removed(e: g.ClaimRemoved, n: Names) -> Notice:
    text = f"{n.member(e.actor_id)} released their claim on {n.thing(e.gift_id, 'a gift')}"
    return Notice("claim", text, "list_item", e.list_item_id, list_id=e.list_id)


def _pledge_added(e: g.PledgeAdded, n: Names) -> Notice:
    text = f"{n.member(e.actor_id)} pledged {e.amount} {e.currency} toward {n.thing(e.gift_id, 'a gift')}"
    return Notice("claim", text, "gift", e.gift_id)


def _comment_added(e: g.CommentAdded, n: Names) -> Notice:
    body = e.body if len(e.body) <= 80 else e.body[:79] + "…"
    text = (
        f"{n.member(e.author_id)} commented on {n.thing(e.target_id, 'a ' + e.target_kind)}: {body}"
    )
    return Notice(
        "comment",
        text,
        e.target_kind,
        e.target_id,
        list_id=e.target_id if e.target_kind == "list" else None,
    )


def _occasion_created(e: g.OccasionCreated, n: Names) -> Notice:
    text = f"{n.member(e.actor_id)} added {e.name} on {e.date.day} {e.date:%B}"
    return Notice("occasion", text, "occasion", e.occasion_id)


def _people(*user_ids: UUID | None) -> frozenset[UUID] | None:
    """Just these members, or everyone when there is nobody in particular."""
    chosen = frozenset(u for u in user_ids if u is not None)
    return chosen or None


def _next_occurrence(e: t.TaskCreated, n: Names) -> Notice:
    """The next time of a repeating chore: nobody gave it, it came round. Said as that, with when it
    is due (at home) and whose it is; a rotating or open chore is everyone's news, others the
    assignee's."""
    when = ""
    if e.due_at is not None:
        local = e.due_at.astimezone(ZoneInfo(e.timezone))
        when = f", due {local:%a} {local.day} {local:%b} at {local:%H:%M}"
    who = (
        f"assigned to {n.member(e.assignee_id)}"
        if e.assignee_id is not None
        else "open for anyone to take"
    )
    only_to = frozenset({e.assignee_id}) if e.assignee_id is not None and not e.rotation else None
    return Notice("task", f"Next: “{e.title}”{when}, {who}", "task", e.task_id, only_to=only_to)


def _task_created(e: t.TaskCreated, n: Names) -> Notice:
    if e.occurrence_at is not None:
        return _next_occurrence(e, n)
    if e.assignee_id is not None and e.assignee_id != e.actor_id:
        text = f"{n.member(e.actor_id)} gave you a task: “{e.title}”"
        return Notice("task", text, "task", e.task_id, only_to=frozenset({e.assignee_id}))
    return Notice("task", f"{n.member(e.actor_id)} added the task “{e.title}”", "task", e.task_id)


def _task_updated(e: t.TaskUpdated, n: Names) -> Notice | None:
    if "assignee_id" not in e.changed:
        return None
    if e.assignee_id is None:  # given back, or left to anyone: whoever is free may take it
        text = f"“{e.title}” is up for grabs"
        return Notice("task", text, "task", e.task_id) if e.status == "open" else None
    text = f"{n.member(e.actor_id)} gave you a task: “{e.title}”"
    return Notice("task", text, "task", e.task_id, only_to=frozenset({e.assignee_id}))


def _task_rescheduled(e: t.TaskRescheduled, n: Names) -> Notice | None:
    if "due_at" not in e.changed or e.assignee_id is None:
        return None
    text = f"{n.member(e.actor_id)} changed when “{e.title}” is due"
    return Notice("task", text, "task", e.task_id, only_to=frozenset({e.assignee_id}))


def _task_completed(e: t.TaskCompleted, n: Names) -> Notice:
    text = f"{n.member(e.actor_id)} completed “{e.title}”"
    return Notice("task", text, "task", e.task_id, only_to=_people(e.created_by, e.assignee_id))


def _reminder_triggered(e: t.ReminderTriggered, n: Names) -> Notice:
    if e.occasion_id is not None:
        when = (
            f" is on {e.occasion_date.day} {e.occasion_date:%B}"
            if e.occasion_date
            else " is coming up"
        )
        return Notice(
            "reminder",
            f"Reminder: {e.title}{when}",
            "occasion",
            e.occasion_id,
            only_to=frozenset(e.notify_user_ids),
        )
    return Notice(
        "reminder",
        f"Reminder: “{e.title}”",
        "task",
        e.task_id or e.reminder_id,
        only_to=frozenset(e.notify_user_ids),
    )


def _taking_part(e: x.ExchangeFacts) -> frozenset[UUID]:
    return frozenset(e.member_ids)


def _exchange_created(e: x.ExchangeCreated, n: Names) -> Notice:
    text = f"{n.member(e.actor_id)} started the gift exchange “{e.name}”: you are taking part"
    return Notice("exchange", text, "exchange", e.exchange_id, only_to=_taking_part(e))


def _exchange_updated(e: x.ExchangeUpdated, n: Names) -> Notice | None:
    if not e.draw_voided:
        return None
    text = f"“{e.name}” changed: names will be drawn again, so wait for your new pick"
    return Notice("exchange", text, "exchange", e.exchange_id, only_to=_taking_part(e))


def _exchange_drawn(e: x.ExchangeDrawn, n: Names) -> Notice:
    again = " again: your earlier pick no longer counts" if e.draw_round > 1 else ""
    text = f"Names for “{e.name}” were drawn{again}"
    return Notice("exchange", text, "exchange", e.exchange_id, only_to=_taking_part(e))


def _pick_drawn(e: x.ExchangePickDrawn, n: Names) -> Notice:
    """Told only to `only_for`: the giver, or the organizer for a giver who is not a member."""
    if e.as_proxy:
        text = f"“{e.name}”: {e.giver_name} gives to {e.receiver_name}"
    else:
        text = f"“{e.name}”: you give to {e.receiver_name}"
    return Notice("exchange", text, "exchange", e.exchange_id, only_to=frozenset(e.only_for))


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _gift_recorded(e: hi.GiftRecorded, n: Names) -> Notice | None:
    """A gift a member put in someone's history, told to the grown-ups. A gift the household gave is
    nobody's news yet: the occasion's wrap-up tells of them all, and its recipient learns of it at the
    reveal."""
    if e.source != "received":
        return None
    givers = [name for name in e.giver_names if name]
    if not givers and e.giver_person_id is not None and e.giver_person_id in n.things:
        givers = [n.things[e.giver_person_id]]
    given_by = f" from {_and(givers)}" if givers else ""
    recipient = n.things.get(e.person_id)
    if e.actor_id is not None and n.links.get(e.person_id) == e.actor_id:
        what = f"{n.member(e.actor_id)} recorded a gift{given_by}"
    elif recipient:
        what = f"{n.member(e.actor_id)} recorded a gift {recipient} received{given_by}"
    else:
        what = f"{n.member(e.actor_id)} recorded a gift received{given_by}"
    return Notice(
        "history", f"{what}: “{e.title}”", "gift_record", e.record_id, only_to=n.grown_ups()
    )


def _occasion_of(name: str, occurs_on: date) -> str:
    """The occasion and the year it was ("Christmas 2026"), unless its name already says which; the
    day itself when there is no name to say."""
    name = name.strip()
    if not name:
        return f"{occurs_on.day} {occurs_on:%B %Y}"
    return name if str(occurs_on.year) in name else f"{name} {occurs_on.year}"


def _wrapped_up(e: hi.OccasionWrappedUp, n: Names) -> Notice:
    """Everyone the event may reach: never the people whose gifts these are (`hidden_persons`)."""
    gifts = "1 gift is" if e.gifts == 1 else f"{e.gifts} gifts are"
    text = f"{_occasion_of(e.name, e.occurs_on)} is over: {gifts} in the history"
    return Notice("history", text, "occasion", e.occasion_id)


def _gifts_revealed(e: hi.GiftsRevealed, n: Names) -> Notice:
    """Told to `only_for`, the recipient's members: news to them alone."""
    gifts = "Your gift from {} is" if e.gifts == 1 else "Your gifts from {} are"
    text = f"{gifts.format(_occasion_of(e.name, e.occurs_on))} in your history"
    return Notice("history", text, "person", e.person_id, only_to=frozenset(e.only_for))


DESCRIBERS: dict[type[Event], Callable[[Event, Names], Notice | None]] = {
    g.GiftCreated: _gift_created,
    g.ListCreated: _list_created,
    g.ListItemAdded: _item_added,
    g.ListItemStatusChanged: _status_changed,
    g.ClaimAdded: _claim_added,
    g.ClaimRemoved: _claim_removed,
    g.PledgeAdded: _pledge_added,
    g.CommentAdded: _comment_added,
    g.OccasionCreated: _occasion_created,
    t.TaskCreated: _task_created,
    t.TaskUpdated: _task_updated,
    t.TaskRescheduled: _task_rescheduled,
    t.TaskCompleted: _task_completed,
    t.ReminderTriggered: _reminder_triggered,
    x.ExchangeCreated: _exchange_created,
    x.ExchangeUpdated: _exchange_updated,
    x.ExchangeDrawn: _exchange_drawn,
    x.ExchangePickDrawn: _pick_drawn,
    hi.GiftRecorded: _gift_recorded,
    hi.OccasionWrappedUp: _wrapped_up,
    hi.GiftsRevealed: _gifts_revealed,
}


# the things whose names a notification mentions but its event does not carry
NAMES_NEEDED: dict[type[Event], tuple[str, ...]] = {
    g.ListItemAdded: ("list_id",),
    g.ClaimAdded: ("gift_id",),
    g.ClaimRemoved: ("gift_id",),
    g.PledgeAdded: ("gift_id",),
    g.CommentAdded: ("target_id",),
    hi.GiftRecorded: ("person_id", "giver_person_id"),
}
# the notifications that depend on who is whom: a gift recorded by its own recipient is said so
LINKS_NEEDED: frozenset[type[Event]] = frozenset({hi.GiftRecorded})


def deserves_notice(event: Event) -> bool:
    return type(event) in DESCRIBERS


def names_needed(event: Event) -> list[UUID]:
    return [v for f in NAMES_NEEDED.get(type(event), ()) if (v := getattr(event, f)) is not None]


def links_needed(event: Event) -> bool:
    return type(event) in LINKS_NEEDED


def describe(event: Event, names: Names) -> Notice | None:
    """The notification an event deserves, or None for changes only pages need to know of."""
    describer = DESCRIBERS.get(type(event))
    return describer(event, names) if describer else None


def entity_change(event_type: str, data: Mapping, subject: str | None) -> dict | None:
    """`{"entity": "list_item", "id": …, "change": "status_changed", "list_id": …}`, or None.
    A history record's change is `{"entity": "history", "id": <record id>, "change": "thanked",
    "person_id": …}`; an occasion wrapped up `{"entity": "history", "id": <occasion id>, …}`."""
    parsed = split_type(event_type)
    if parsed is None:
        return None
    entity, _, change = parsed[0].partition(".")
    if entity in SILENT_ENTITIES:
        return None
    own_id = (
        data.get(f"{entity}_id") or (data.get("user_id") if entity == "member" else None) or subject
    )
    shown_as = SHOWN_AS.get(parsed[0], entity)
    message = {"entity": shown_as, "id": str(own_id) if own_id else None, "change": change}
    for name in REFERENCE_FIELDS:
        if name != f"{entity}_id" and data.get(name):
            message[name] = str(data[name])
    return message
