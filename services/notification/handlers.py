"""Event handlers: plain async functions routed by event type. Each runs in the batch's transaction,
next to the inbox row that makes a redelivery a no-op.

Every household event becomes an entity-changed message for each member who may hear of it, and some
become notifications too (see `wording`). Membership events also keep the read model of who is in
the household, which is whom the service fans out to; person events keep which member each person is.

Surprises: an event never reaches the members in its `hidden_from`, nor the members linked now to one of
its `hidden_persons`; and when a person is linked to a member later, that member loses every message and
notification kept from the person, and their open streams end (a reconnect replays without them).
"""

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.notification import parking, readmodel, stream_messages
from services.notification.audience import notification_audience, stream_audience
from services.notification.mail import channel as mail_channel
from services.notification.stream_messages import ENTITY_CHANGED, NOTIFICATION, Outgoing
from services.notification.wording import (
    Names,
    describe,
    deserves_notice,
    entity_change,
    links_needed,
    names_needed,
)
from shared.consumer import Envelope, Handler
from shared.events import EVENT_TYPES, Event
from shared.events import gifting as g
from shared.events import household as h
from shared.events import tasks as t
from shared.events.accounts import PasswordResetRequested

# what things are called, remembered from the events that name or rename them: (entity, id field, name field)
NAMED_BY: dict[type[Event], tuple[str, str, str]] = {
    g.GiftFacts: ("gift", "gift_id", "title"),
    g.ListFacts: ("list", "list_id", "name"),
    g.ListItemAdded: (
        "gift",
        "gift_id",
        "gift_title",
    ),  # the gift's own event may be on its way on another topic
    g.OccasionFacts: ("occasion", "occasion_id", "name"),
    g.PersonCreated: ("person", "person_id", "name"),
    g.PersonUpdated: ("person", "person_id", "name"),
    t.TaskCreated: ("task", "task_id", "title"),
    t.TaskUpdated: ("task", "task_id", "title"),
}


async def _remember_names(session: AsyncSession, event: Event) -> None:
    for contract, (entity, id_field, name_field) in NAMED_BY.items():
        if isinstance(event, contract):
            await readmodel.remember_name(
                session,
                event.household_id,
                entity,
                getattr(event, id_field),
                getattr(event, name_field),
            )


def _notification(event: Event, envelope: Envelope, notice, now: datetime) -> tuple[dict, dict]:
    """The row of one member's notification and how the stream and the REST API show it."""
    row = {
        "id": uuid.uuid4(),
        "kind": notice.kind,
        "text": notice.text,
        "entity": notice.entity,
        "entity_id": notice.entity_id,
        "list_id": notice.list_id,
        "actor_id": event.actor_id,
        "event_id": envelope.cloudevent.id,
        "event_type": envelope.cloudevent.type,
        "created_at": now,
    }
    shown = {
        k: (str(v) if isinstance(v, uuid.UUID) else v)
        for k, v in row.items()
        if k not in ("event_id", "event_type")
    }
    return row, {**shown, "created_at": now.isoformat(), "read_at": None}


async def fan_out(session: AsyncSession, envelope: Envelope) -> None:
    """Tell the household's members of an event: what changed, and a notification if it deserves one."""
    event = envelope.event
    ce = envelope.cloudevent
    await _remember_names(session, event)
    await mail_channel.observe(session, envelope)
    members = await readmodel.members_of(session, event.household_id)
    if not members:  # it overtook its household's creation: it waits for it (see `parking`)
        await parking.park(session, event.household_id, envelope)
        return
    kept_from = await readmodel.linked_members(session, event.household_id, event.hidden_persons)
    everyone = sorted((m for m in members if m not in kept_from), key=str)
    outgoing: list[Outgoing] = []
    change = entity_change(ce.type, ce.data, ce.subject)
    if change is not None:
        outgoing += [
            Outgoing(m, ENTITY_CHANGED, change, hidden_persons=event.hidden_persons)
            for m in stream_audience(everyone, event)
        ]
    if deserves_notice(event):
        things = await readmodel.names_of(session, event.household_id, names_needed(event))
        links = await readmodel.links_of(session, event.household_id) if links_needed(event) else {}
        names = Names(
            {u: m.display_name for u, m in members.items() if m.display_name},
            things,
            roles={u: m.role for u, m in members.items()},
            links=links,
        )
        notice = describe(event, names)
        preferences = {u: m.preferences for u, m in members.items()}
        now = datetime.now(UTC)
        told = notification_audience(everyone, event, notice, preferences) if notice else []
        for user_id in told:
            row, shown = _notification(event, envelope, notice, now)
            outgoing.append(Outgoing(user_id, NOTIFICATION, shown, row, event.hidden_persons))
        await mail_channel.consider(session, envelope, notice, told)
    await stream_messages.append(session, event.household_id, outgoing)


async def household_created(session: AsyncSession, envelope: Envelope) -> None:
    event: h.HouseholdCreated = envelope.event
    if event.actor_id is None:  # nobody to tell yet: the first member's joining replays what waited
        return
    # the creator is the first admin; no member.joined is sent for them
    await readmodel.add_member(
        session,
        event.household_id,
        event.actor_id,
        "admin",
        event.creator_display_name,
        event.created_at,
    )
    await fan_out(session, envelope)
    await parking.replay(session, event.household_id, HANDLERS)


async def member_joined(session: AsyncSession, envelope: Envelope) -> None:
    event: h.MemberJoined = envelope.event
    await readmodel.add_member(
        session, event.household_id, event.user_id, event.role, event.display_name, event.joined_at
    )
    await fan_out(session, envelope)
    await parking.replay(session, event.household_id, HANDLERS)


async def member_role_changed(session: AsyncSession, envelope: Envelope) -> None:
    event: h.MemberRoleChanged = envelope.event
    await readmodel.change_role(session, event.household_id, event.user_id, event.new_role)
    await fan_out(session, envelope)


async def member_removed(session: AsyncSession, envelope: Envelope) -> None:
    """The member hears nothing more: their streams are closed and what was kept for them is gone."""
    event: h.MemberRemoved = envelope.event
    await readmodel.remove_member(session, event.household_id, event.user_id)
    await stream_messages.notify_revoked(session, event.household_id, event.user_id)
    await fan_out(session, envelope)


async def person_linked(session: AsyncSession, envelope: Envelope) -> None:
    """A person who is now a member: what was kept from that person is taken from that member too."""
    event: g.PersonCreated | g.PersonUpdated = envelope.event
    user_id = event.linked_user_id
    if await readmodel.link_person(session, event.household_id, event.person_id, user_id):
        await readmodel.forget_kept_from(session, event.household_id, user_id, event.person_id)
        await stream_messages.notify_revoked(session, event.household_id, user_id)
    await fan_out(session, envelope)


async def person_deleted(session: AsyncSession, envelope: Envelope) -> None:
    await readmodel.link_person(
        session, envelope.event.household_id, envelope.event.person_id, None
    )
    await fan_out(session, envelope)


SPECIAL: dict[type[Event], Handler] = {
    g.PersonCreated: person_linked,
    g.PersonUpdated: person_linked,
    g.PersonDeleted: person_deleted,
    h.HouseholdCreated: household_created,
    h.MemberJoined: member_joined,
    h.MemberRoleChanged: member_role_changed,
    h.MemberRemoved: member_removed,
    PasswordResetRequested: mail_channel.password_reset_requested,
}

# every event the household might hear of, so notification subscribes to every topic
HANDLERS: dict[str, Handler] = {
    event_type: SPECIAL.get(contract, fan_out) for event_type, contract in EVENT_TYPES.items()
}
