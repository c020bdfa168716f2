"""Event handlers: plain async functions routed by event type. Each runs in the batch's transaction,
next to the inbox row that makes a redelivery a no-op.

Task and occasion events carry the whole subject as it is now, so every handler does the same thing:
make the subject's pending reminders what they should be. An event older than the version already
applied (a redelivery overtaken by a later change) changes nothing.
"""

import uuid
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.reminder.config import Settings
from services.reminder.models import household, household_member, person_link, reminder, subject
from services.reminder.schedule import desired, local_today, occasion_moment, occasion_on_or_after
from shared import set_writes
from shared.consumer import Envelope, Handler, Together
from shared.events import HouseholdCreated
from shared.events.gifting import (
    OccasionCreated,
    OccasionDeleted,
    OccasionFacts,
    OccasionUpdated,
    PersonCreated,
    PersonDeleted,
    PersonUpdated,
)
from shared.events.household import HouseholdUpdated, MemberJoined, MemberRemoved
from shared.events.tasks import (
    OccasionRolledOver,
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskFacts,
    TaskReopened,
    TaskRescheduled,
    TaskUpdated,
)
from shared.household_facts import MEMBER_KEY, keep_time_zones, member_rows

TASK, OCCASION = "task", "occasion"


def _changed_at(envelope: Envelope) -> datetime:
    return envelope.cloudevent.time or datetime.now(UTC)


async def _advance(
    session: AsyncSession,
    kind: str,
    subject_id: uuid.UUID,
    household_id: uuid.UUID,
    version: int,
    deleted: bool = False,
) -> bool:
    """Record `version` as the subject's latest; False when a newer one was applied already."""
    row = await session.execute(
        insert(subject)
        .values(
            kind=kind, id=subject_id, household_id=household_id, version=version, deleted=deleted
        )
        .on_conflict_do_update(
            index_elements=["kind", "id"],
            set_={"version": version, "deleted": deleted, "changed_at": func.now()},
            where=and_(subject.c.version < version, subject.c.deleted.is_(False)),
        )
        .returning(subject.c.id)
    )
    return row.first() is not None


async def _sync(
    session: AsyncSession, kind: str, subject_id: uuid.UUID, wanted: dict[str, datetime], **facts
) -> None:
    """Make the subject's pending (unfired, not snoozed) reminders exactly `wanted`."""
    pending = reminder.c.fired_at.is_(None) & reminder.c.snoozed_from.is_(None)
    mine = (reminder.c.subject_kind == kind) & (reminder.c.subject_id == subject_id)
    rows = (
        await session.execute(
            select(reminder.c.id, reminder.c.offset, reminder.c.remind_at).where(mine & pending)
        )
    ).all()
    stale = [r.id for r in rows if wanted.get(r.offset) != r.remind_at]
    if stale:
        await session.execute(delete(reminder).where(reminder.c.id.in_(stale)))
    if wanted:
        await session.execute(
            insert(reminder)
            .values(
                [
                    {
                        "id": uuid.uuid4(),
                        "subject_kind": kind,
                        "subject_id": subject_id,
                        "offset": offset,
                        "remind_at": at,
                        **facts,
                    }
                    for offset, at in wanted.items()
                ]
            )
            .on_conflict_do_nothing(
                index_elements=["subject_kind", "subject_id", "offset", "remind_at"],
                index_where=reminder.c.snoozed_from.is_(None),
            )
        )
    # what a pending reminder will say follows the subject (title, assignee, who must not see it)
    await session.execute(
        update(reminder).where(mine & reminder.c.fired_at.is_(None)).values(**facts)
    )


async def _cancel(session: AsyncSession, kind: str, subject_id: uuid.UUID) -> None:
    """Nothing more fires for it, snoozes included."""
    await session.execute(
        delete(reminder).where(
            reminder.c.subject_kind == kind,
            reminder.c.subject_id == subject_id,
            reminder.c.fired_at.is_(None),
        )
    )


# tasks -------------------------------------------------------------------------------------------
async def schedule_task(session: AsyncSession, envelope: Envelope) -> None:
    task: TaskFacts = envelope.event
    if not await _advance(session, TASK, task.task_id, task.household_id, task.revision):
        return
    if task.status != "open" or task.due_at is None:
        await _cancel(session, TASK, task.task_id)
        return
    wanted = desired(task.due_at, task.reminder_offsets, task.timezone, _changed_at(envelope))
    await _sync(
        session,
        TASK,
        task.task_id,
        wanted,
        household_id=task.household_id,
        title=task.title,
        due_at=task.due_at,
        assignee_id=task.assignee_id,
        hidden_from=list(task.hidden_from),
        person_ids=list(task.hidden_persons),
    )  # kept from whoever is linked to them when it fires


async def cancel_task(session: AsyncSession, envelope: Envelope) -> None:
    task: TaskDeleted = envelope.event
    await _advance(session, TASK, task.task_id, task.household_id, task.revision, deleted=True)
    await _cancel(session, TASK, task.task_id)


# occasions ---------------------------------------------------------------------------------------
async def _timezone(session: AsyncSession, household_id: uuid.UUID) -> str:
    return (
        await session.scalar(select(household.c.timezone).where(household.c.id == household_id))
        or "UTC"
    )


async def _occasion_advanced(
    session: AsyncSession, occasion: OccasionFacts | OccasionRolledOver, changed_at: datetime
) -> bool:
    """Occasion events carry no revision: the time of the change orders them."""
    return await _advance(
        session,
        OCCASION,
        occasion.occasion_id,
        occasion.household_id,
        int(changed_at.timestamp() * 1_000_000),
    )


async def _schedule_occasion(
    session: AsyncSession,
    settings: Settings,
    occasion: OccasionFacts | OccasionRolledOver,
    day,
    changed_at: datetime,
) -> None:
    tz = await _timezone(session, occasion.household_id)
    at = settings.occasion_remind_time
    wanted = desired(
        occasion_moment(day, at, tz), settings.occasion_reminder_offsets, tz, changed_at
    )
    await _sync(
        session,
        OCCASION,
        occasion.occasion_id,
        wanted,
        household_id=occasion.household_id,
        title=occasion.name,
        occasion_date=day,
        person_ids=list(occasion.person_ids),
        hidden_from=list(occasion.hidden_from),
    )


async def schedule_occasion(session: AsyncSession, envelope: Envelope, settings: Settings) -> None:
    occasion: OccasionFacts = envelope.event
    changed_at = _changed_at(envelope)
    if not await _occasion_advanced(session, occasion, changed_at):
        return
    day = occasion.date
    if occasion.recurs_yearly:
        day = occasion_on_or_after(
            day, local_today(changed_at, await _timezone(session, occasion.household_id))
        )
    await _schedule_occasion(session, settings, occasion, day, changed_at)


async def schedule_rolled_over_occasion(
    session: AsyncSession, envelope: Envelope, settings: Settings
) -> None:
    occasion: OccasionRolledOver = envelope.event
    changed_at = _changed_at(envelope)
    if await _occasion_advanced(session, occasion, changed_at):
        await _schedule_occasion(session, settings, occasion, occasion.next_date, changed_at)


async def cancel_occasion(session: AsyncSession, envelope: Envelope) -> None:
    occasion: OccasionDeleted = envelope.event
    await _advance(
        session, OCCASION, occasion.occasion_id, occasion.household_id, 2**62, deleted=True
    )
    await _cancel(session, OCCASION, occasion.occasion_id)


# households and people: whom a reminder goes to, and whom it is kept from ------------------------
# Each takes a run of its events at once (`Together`): a backlog of sign-ups costs a statement a run.
@Together
async def note_households(session: AsyncSession, envelopes: list[Envelope]) -> None:
    await keep_time_zones(session, household, envelopes)
    creators = [
        {"household_id": e.household_id, "user_id": e.actor_id}
        for e in (envelope.event for envelope in envelopes)
        if isinstance(e, HouseholdCreated) and e.actor_id is not None
    ]  # its creator is its first admin
    await set_writes.upsert(session, household_member, creators, key=MEMBER_KEY)


@Together
async def note_members_joined(session: AsyncSession, envelopes: list[Envelope]) -> None:
    await set_writes.upsert(session, household_member, member_rows(envelopes), key=MEMBER_KEY)


@Together
async def note_members_removed(session: AsyncSession, envelopes: list[Envelope]) -> None:
    await set_writes.delete_keys(session, household_member, member_rows(envelopes))


@Together
async def note_people(session: AsyncSession, envelopes: list[Envelope]) -> None:
    latest = {e.event.person_id: e.event for e in envelopes}  # a person's last event wins
    await set_writes.delete_keys(session, person_link, [{"person_id": p} for p in latest])
    await set_writes.upsert(
        session,
        person_link,
        [
            {
                "person_id": person.person_id,
                "household_id": person.household_id,
                "user_id": person.linked_user_id,
            }
            for person in latest.values()
            if not isinstance(person, PersonDeleted) and person.linked_user_id is not None
        ],
        key=["person_id"],
    )


def handlers(settings: Settings) -> dict[str, Handler]:
    """The handlers by event type; occasions are reminded of as `settings` say."""
    return {
        HouseholdCreated.event_type(): note_households,
        HouseholdUpdated.event_type(): note_households,
        MemberJoined.event_type(): note_members_joined,
        MemberRemoved.event_type(): note_members_removed,
        PersonCreated.event_type(): note_people,
        PersonUpdated.event_type(): note_people,
        PersonDeleted.event_type(): note_people,
        **{
            e.event_type(): schedule_task
            for e in (TaskCreated, TaskUpdated, TaskRescheduled, TaskCompleted, TaskReopened)
        },
        TaskDeleted.event_type(): cancel_task,
        OccasionCreated.event_type(): partial(schedule_occasion, settings=settings),
        OccasionUpdated.event_type(): partial(schedule_occasion, settings=settings),
        OccasionRolledOver.event_type(): partial(schedule_rolled_over_occasion, settings=settings),
        OccasionDeleted.event_type(): cancel_occasion,
    }
