"""Every event lands once as an audit entry (the inbox de-duplicates by event id, in the same
transaction). Membership events also keep the read model of who is an admin of which household, and
person events which member each person is, for the query API."""

import json
from uuid import UUID

from sqlalchemy import delete, text, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.audit.models import audit_entry, member, person_link
from shared.consumer import Envelope, Handler, stage_until_commit
from shared.events import gifting as g
from shared.events import household as h
from shared.person_links import remember_link

_COLUMNS = (
    "event_id",
    "event_type",
    "subject",
    "household_id",
    "actor_id",
    "hidden_from",
    "hidden_persons",
    "only_for",
    "occurred_at",
    "aggregate_version",
    "data",
)


def _uuid_or_none(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


# the batch's entries as one JSON parameter: one statement text however many rows, prepared once
_INSERT_ENTRIES = text(f"""
    INSERT INTO "{audit_entry.schema}".audit_entry ({", ".join(_COLUMNS)})
    SELECT {", ".join(_COLUMNS)}
    FROM jsonb_to_recordset(CAST(:entries AS jsonb)) AS e(
        event_id uuid, event_type text, subject text, household_id uuid, actor_id uuid,
        hidden_from uuid[], hidden_persons uuid[], only_for uuid[], occurred_at timestamptz, aggregate_version bigint,
        data jsonb
    )
""")


def _insert_entries(session: Session, entries: list[dict]) -> None:
    session.execute(_INSERT_ENTRIES, {"entries": json.dumps(entries, default=str)})


async def record_entry(session: AsyncSession, envelope: Envelope) -> None:
    """Log the event, inserted with the rest of the delivered batch's entries just before it commits
    (see shared.consumer.stage_until_commit)."""
    ce = envelope.cloudevent
    event = envelope.event
    data = ce.data
    hidden = (
        event.hidden_from
        if event
        else [u for u in map(_uuid_or_none, data.get("hidden_from", [])) if u]
    )
    persons = (
        event.hidden_persons
        if event
        else [p for p in map(_uuid_or_none, data.get("hidden_persons", [])) if p]
    )
    only_for = (
        event.only_for if event else [u for u in map(_uuid_or_none, data.get("only_for", [])) if u]
    )
    entry = {
        "event_id": ce.id,
        "event_type": ce.type,
        "subject": ce.subject,
        "household_id": ce.household or _uuid_or_none(data.get("household_id")),
        "actor_id": event.actor_id if event else _uuid_or_none(data.get("actor_id")),
        "hidden_from": list(hidden),
        "hidden_persons": list(persons),
        "only_for": list(only_for),
        "occurred_at": ce.time,
        "aggregate_version": ce.aggregateversion,
        "data": data,
    }
    await stage_until_commit(session, _insert_entries, [entry])


async def _set_role(session: AsyncSession, household_id: UUID, user_id: UUID, role: str) -> None:
    await session.execute(
        upsert(member)
        .values(household_id=household_id, user_id=user_id, role=role)
        .on_conflict_do_update(index_elements=["household_id", "user_id"], set_={"role": role})
    )


async def household_created(session: AsyncSession, envelope: Envelope) -> None:
    await record_entry(session, envelope)
    event: h.HouseholdCreated = envelope.event
    if (
        event.actor_id is not None
    ):  # the creator is the first admin; no member.joined is sent for them
        await _set_role(session, event.household_id, event.actor_id, "admin")


async def member_joined(session: AsyncSession, envelope: Envelope) -> None:
    await record_entry(session, envelope)
    event: h.MemberJoined = envelope.event
    await _set_role(session, event.household_id, event.user_id, event.role)


async def member_role_changed(session: AsyncSession, envelope: Envelope) -> None:
    await record_entry(session, envelope)
    event: h.MemberRoleChanged = envelope.event
    await session.execute(
        update(member)
        .where(member.c.household_id == event.household_id, member.c.user_id == event.user_id)
        .values(role=event.new_role)
    )


async def member_removed(session: AsyncSession, envelope: Envelope) -> None:
    await record_entry(session, envelope)
    event: h.MemberRemoved = envelope.event
    await session.execute(
        delete(member).where(
            member.c.household_id == event.household_id, member.c.user_id == event.user_id
        )
    )


async def person_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Which member the person is now: entries kept from the person are kept from that member too."""
    await record_entry(session, envelope)
    event = envelope.event
    user_id = None if isinstance(event, g.PersonDeleted) else event.linked_user_id
    await remember_link(session, person_link, event.household_id, event.person_id, user_id)


# every event without a handler of its own, known contract or not, is logged as it came: audit
# subscribes to every topic
CATCH_ALL: Handler = record_entry

HANDLERS: dict[str, Handler] = {
    g.PersonCreated.event_type(): person_changed,
    g.PersonUpdated.event_type(): person_changed,
    g.PersonDeleted.event_type(): person_changed,
    h.HouseholdCreated.event_type(): household_created,
    h.MemberJoined.event_type(): member_joined,
    h.MemberRoleChanged.event_type(): member_role_changed,
    h.MemberRemoved.event_type(): member_removed,
}
