"""Calendar feeds: a member makes a private subscription address, lists and revokes theirs; a calendar
app reads it with the secret token in the address and no sign-in.

What a feed shows is what that member may see: the household's occasions (every member sees them),
the days of the gift exchanges they take part in or organize (never a pick), and the member's own open
tasks with a due time (a task is never kept from its assignee, see task_audience). Nothing else a
surprise could hide in is read here.

Calendar apps poll every few minutes, so a read first asks Postgres for a fingerprint of exactly what
the feed is made of; when the app already has that version (If-None-Match) it gets 304 without the
feed being built.
"""

import asyncio
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import calendar_ics
from services.gateway.models import outbox, utcnow
from services.gateway.models.calendar_feeds import (
    CalendarFeed,
    CalendarFeedCreate,
    CalendarFeedPublic,
    CalendarFeedWithUrl,
)
from services.gateway.models.households import Member
from services.gateway.security import hash_token
from shared.errors import Conflict, NotFound
from shared.events.household import CalendarFeedCreated, CalendarFeedRevoked
from shared.outbox import add_event

FEED_PATH = "/api/calendar/{token}.ics"
# part of every fingerprint: a change to how feeds are written reaches every calendar at its next poll
FORMAT_VERSION = "2"
MAX_FEEDS_PER_MEMBER = 20


_LIVE = """
    FROM gateway.calendar_feed
    WHERE household_id = :household_id AND user_id = :user_id AND revoked_at IS NULL
"""
_LIVE_COUNT = text("SELECT count(*)" + _LIVE)
_LIVE_FEEDS = text("SELECT id, name, created_at" + _LIVE + "ORDER BY created_at, id")


def _mine(member: Member) -> dict:
    return {"household_id": member.household_id, "user_id": member.user_id}


def feed_url(token: str) -> str:
    return FEED_PATH.format(token=token)


async def create_feed(
    session: AsyncSession, member: Member, data: CalendarFeedCreate
) -> CalendarFeedWithUrl:
    token = secrets.token_urlsafe(32)
    async with session.begin():
        live = await session.scalar(_LIVE_COUNT, _mine(member)) or 0
        if live >= MAX_FEEDS_PER_MEMBER:
            raise Conflict(
                f"You already have {MAX_FEEDS_PER_MEMBER} calendar subscriptions; revoke one you "
                "no longer use first."
            )
        feed = CalendarFeed(
            household_id=member.household_id,
            user_id=member.user_id,
            token_hash=hash_token(token),
            name=data.name,
        )
        session.add(feed)
        await session.flush()
        await add_event(
            session,
            outbox,
            CalendarFeedCreated(
                household_id=member.household_id,
                actor_id=member.user_id,
                feed_id=feed.id,
                user_id=member.user_id,
                name=feed.name,
            ),
        )
    return CalendarFeedWithUrl(
        id=feed.id, name=feed.name, created_at=feed.created_at, url=feed_url(token)
    )


async def list_feeds(session: AsyncSession, member: Member) -> list[CalendarFeedPublic]:
    """The caller's own subscriptions that still answer (never anyone else's, admins included)."""
    async with session.begin():
        rows = (await session.execute(_LIVE_FEEDS, _mine(member))).all()
        return [CalendarFeedPublic(id=r.id, name=r.name, created_at=r.created_at) for r in rows]


async def revoke_feed(session: AsyncSession, member: Member, feed_id: uuid.UUID) -> None:
    async with session.begin():
        feed = await session.get(CalendarFeed, feed_id, with_for_update=True)
        if (
            feed is None
            or feed.household_id != member.household_id
            or feed.user_id != member.user_id
            or feed.revoked_at is not None
        ):
            raise NotFound("No such calendar subscription.")
        feed.revoked_at = utcnow()
        await add_event(
            session,
            outbox,
            CalendarFeedRevoked(
                household_id=member.household_id,
                actor_id=member.user_id,
                feed_id=feed.id,
                user_id=member.user_id,
            ),
        )


@dataclass(frozen=True)
class FeedRead:
    etag: str
    body: bytes | None  # None: the caller already has this version


# The feed's subscriber, if the token is live and its member still belongs to the household.
_SUBSCRIBER = text(
    """
    SELECT f.household_id, f.user_id, h.name, h.timezone
    FROM gateway.calendar_feed f
    JOIN gateway.membership m ON m.household_id = f.household_id AND m.user_id = f.user_id
    JOIN gateway.household h ON h.id = f.household_id
    WHERE f.token_hash = :token_hash AND f.revoked_at IS NULL
    """
)

# Everything the feed is built from, as one digest: any edit that would change the feed changes it.
_FINGERPRINT = text(
    """
    SELECT md5(concat_ws('|', CAST(:format AS text), h.name, h.timezone,
      (SELECT string_agg(o.id::text || o.updated_at::text, ',' ORDER BY o.id)
         FROM gateway.occasion o WHERE o.household_id = h.id),
      (SELECT string_agg(op.occasion_id::text || op.person_id::text || p.name, ','
                         ORDER BY op.occasion_id, op.person_id)
         FROM gateway.occasion_person op JOIN gateway.person p ON p.id = op.person_id
         WHERE p.household_id = h.id),
      (SELECT string_agg(t.id::text || t.revision::text || t.updated_at::text, ',' ORDER BY t.id)
         FROM gateway.task t
         WHERE t.household_id = h.id AND t.assignee_id = :user_id
           AND t.status = 'open' AND t.due_at IS NOT NULL),
      (SELECT string_agg(e.id::text || e.updated_at::text, ',' ORDER BY e.id)
         FROM gateway.exchange e WHERE e.household_id = h.id),
      (SELECT string_agg(p.id::text, ',' ORDER BY p.id)
         FROM gateway.person p WHERE p.household_id = h.id AND p.linked_user_id = :user_id)))
    FROM gateway.household h WHERE h.id = :household_id
    """
)

_OCCASIONS = text(
    """
    SELECT o.id, o.name, o.kind, o.date, o.recurs_yearly, o.updated_at,
           coalesce(array_agg(p.name ORDER BY p.name) FILTER (WHERE p.id IS NOT NULL), '{}') AS names
    FROM gateway.occasion o
    LEFT JOIN gateway.occasion_person op ON op.occasion_id = o.id
    LEFT JOIN gateway.person p ON p.id = op.person_id
    WHERE o.household_id = :household_id
    GROUP BY o.id
    ORDER BY o.date, o.id
    """
)

# the gift exchanges the member takes part in (through a person linked to them) or organizes
_EXCHANGES = text(
    """
    SELECT e.id, e.name, e.deadline, e.price_min, e.price_max, e.currency, e.updated_at
    FROM gateway.exchange e
    WHERE e.household_id = :household_id
      AND (e.organizer_id = :user_id OR EXISTS (
            SELECT 1 FROM gateway.exchange_participant ep
            JOIN gateway.person p ON p.id = ep.person_id
            WHERE ep.exchange_id = e.id AND p.linked_user_id = :user_id))
    ORDER BY e.deadline, e.id
    """
)

# the member's open tasks with a due time; for a series, the due time of its first task (the anchor
# its rule's COUNT counts from)
_TASKS = text(
    """
    SELECT t.id, t.series_id, t.title, t.notes, t.due_at, t.reminders, t.rrule,
           t.recurrence_mode, t.updated_at, first.due_at AS anchor_at,
           cardinality(t.rotation) > 0 AS rotates
    FROM gateway.task t
    LEFT JOIN gateway.task first ON first.id = t.series_id
    WHERE t.household_id = :household_id AND t.assignee_id = :user_id
      AND t.status = 'open' AND t.due_at IS NOT NULL
    ORDER BY t.due_at, t.id
    """
)


async def read_feed(session: AsyncSession, token: str, if_none_match: str | None) -> FeedRead:
    """The feed the token opens, or NotFound (unknown, revoked, or its member has left)."""
    async with session.begin():
        subscriber = (await session.execute(_SUBSCRIBER, {"token_hash": hash_token(token)})).first()
        if subscriber is None:
            raise NotFound("No such calendar feed: it may have been revoked.")
        household_id, user_id, household_name, tz_name = subscriber
        digest = await session.scalar(
            _FINGERPRINT,
            {"format": FORMAT_VERSION, "household_id": household_id, "user_id": user_id},
        )
        etag = f'"{digest}"'
        if if_none_match and _matches(if_none_match, etag):
            return FeedRead(etag, None)
        occasions = (await session.execute(_OCCASIONS, {"household_id": household_id})).all()
        tasks = (
            await session.execute(_TASKS, {"household_id": household_id, "user_id": user_id})
        ).all()
        exchanges = (
            await session.execute(_EXCHANGES, {"household_id": household_id, "user_id": user_id})
        ).all()
    stamp = max(
        [r.updated_at for r in occasions]
        + [r.updated_at for r in tasks]
        + [r.updated_at for r in exchanges],
        default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )
    body = await asyncio.to_thread(
        calendar_ics.build,
        household_name,
        tz_name,
        [
            calendar_ics.FeedOccasion(
                id=str(r.id),
                name=r.name,
                kind=r.kind,
                date=r.date,
                recurs_yearly=r.recurs_yearly,
                for_names=tuple(r.names),
            )
            for r in occasions
        ],
        [
            calendar_ics.FeedTask(
                # a rotating chore's occurrences are each someone's turn: each its own event
                uid=str(r.id if r.rotates else r.series_id or r.id),
                title=r.title,
                notes=r.notes,
                due_at=r.due_at,
                reminders=tuple(r.reminders or ()),
                rrule=r.rrule,
                from_completion=r.recurrence_mode == "from_completion",
                anchor_at=r.anchor_at,
                rotates=r.rotates,
            )
            for r in tasks
        ],
        stamp.astimezone(dt.UTC),
        [
            calendar_ics.FeedExchange(id=str(r.id), name=r.name, day=r.deadline, price=_price(r))
            for r in exchanges
        ],
    )
    return FeedRead(etag, body)


def _price(r) -> str | None:
    if r.price_min is None and r.price_max is None:
        return None
    if r.price_min is not None and r.price_max is not None:
        return f"{r.price_min}–{r.price_max} {r.currency or ''}".strip()
    if r.price_max is not None:
        return f"up to {r.price_max} {r.currency or ''}".strip()
    return f"from {r.price_min} {r.currency or ''}".strip()


def _matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match against our tag, by RFC 9110's weak comparison (`W/` ignored); `*` is any."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags
