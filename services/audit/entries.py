"""Reading the audit log: one household's entries, newest first, filtered, a page at a time.

Surprise protection: an entry is never shown to a member listed in its `hidden_from`, admin or not, nor
to a member linked now to one of its `hidden_persons` (decided at each read, with the links as they are),
nor, when it names `only_for` (a gift exchange's pick), to anyone else.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.auth import Admin
from services.audit.models import audit_entry, person_link
from shared.errors import InvalidInput
from shared.pages import Page, PageRequest, fetch_page

TYPE_FILTER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class EntryFilter:
    subject: str | None = None
    actor_id: UUID | None = None
    types: tuple[str, ...] = ()
    since: datetime | None = None  # recorded at or after
    until: datetime | None = None  # recorded before


def type_pattern(wanted: str) -> str:
    """A LIKE pattern for `giftflow.claim.added.v1` (exactly), `claim.added` (any version) or `claim` (all claim events)."""
    if not TYPE_FILTER.match(wanted):
        raise InvalidInput(
            "query.type",
            "is an event type like giftflow.claim.added.v1, an event name like "
            "claim.added, or an entity like claim",
        )
    escaped = wanted.replace("_", r"\_")
    if wanted.startswith("giftflow.") and re.search(r"\.v\d+$", wanted):
        return escaped
    name = escaped.removeprefix("giftflow.")
    return (
        f"giftflow.{name}.v%" if "." in wanted.removeprefix("giftflow.") else f"giftflow.{name}.%"
    )


def _persons_of(admin: Admin):
    """The people the admin is now, as an array."""
    return (
        select(func.array_agg(person_link.c.person_id))
        .where(
            person_link.c.household_id == admin.household_id, person_link.c.user_id == admin.user_id
        )
        .scalar_subquery()
    )


def entries_query(admin: Admin, wanted: EntryFilter) -> Select:
    t = audit_entry
    query = select(
        t.c.id,
        t.c.recorded_at,
        t.c.event_id,
        t.c.event_type,
        t.c.subject,
        t.c.actor_id,
        t.c.occurred_at,
        t.c.data,
    ).where(
        t.c.household_id == admin.household_id,
        ~t.c.hidden_from.contains([admin.user_id]),
        ~t.c.hidden_persons.overlap(func.coalesce(_persons_of(admin), text("'{}'::uuid[]"))),
        or_(func.cardinality(t.c.only_for) == 0, t.c.only_for.contains([admin.user_id])),
    )
    if wanted.subject is not None:
        query = query.where(t.c.subject == wanted.subject)
    if wanted.actor_id is not None:
        query = query.where(t.c.actor_id == wanted.actor_id)
    if wanted.types:
        query = query.where(or_(*(t.c.event_type.like(type_pattern(w)) for w in wanted.types)))
    if wanted.since is not None:
        query = query.where(t.c.recorded_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(t.c.recorded_at < wanted.until)
    return query


async def find_entries(
    session: AsyncSession, admin: Admin, wanted: EntryFilter, page: PageRequest
) -> Page:
    t = audit_entry
    return await fetch_page(
        session, entries_query(admin, wanted), (t.c.recorded_at, t.c.id), page, descending=True
    )
