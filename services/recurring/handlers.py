"""Event handlers: plain async functions routed by event type. Each runs in the batch's transaction,
next to the inbox row that makes a redelivery a no-op.

A handler never calls the gateway: it records the occurrence to generate (unique per series and
occurrence), and the sender (`generator.py`) asks the gateway for it after the commit, until it answers.
"""

import asyncio
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfoNotFoundError

import structlog
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.recurring.models import (
    former_member,
    household,
    occurrence,
    series,
    series_task,
    yearly_occasion,
)
from services.recurring.recurrence import (
    day_ends_at,
    local_today,
    next_due,
    occasion_after,
    occasion_on_or_after,
)
from services.recurring.rotation import next_assignee
from shared import set_writes
from shared.consumer import Envelope, Handler, Together
from shared.events import HouseholdCreated
from shared.events.gifting import OccasionCreated, OccasionDeleted, OccasionFacts, OccasionUpdated
from shared.events.household import HouseholdUpdated, MemberJoined, MemberRemoved
from shared.events.tasks import (
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskFacts,
    TaskReopened,
    TaskRescheduled,
    TaskUpdated,
)
from shared.household_facts import MEMBER_KEY, keep_time_zones, member_rows
from shared.validation.rrules import RuleRefused

log = structlog.get_logger()


# tasks -------------------------------------------------------------------------------------------
async def _index_of(session: AsyncSession, task: TaskFacts) -> int:
    """Which task of its series this is: one more than the task it was generated after."""
    if task.occurrence_at is None or task.series_id is None:
        return 0
    return (
        await session.scalar(
            select(occurrence.c.occurrence_index).where(
                occurrence.c.kind == "task",
                occurrence.c.subject_id == task.series_id,
                occurrence.c.occurrence == task.occurrence_at.astimezone(UTC).isoformat(),
            )
        )
        or 0
    )


async def track_task(session: AsyncSession, envelope: Envelope) -> None:
    """Keep the task's due time, status and rule; a changed rule starts the series again from this task."""
    task: TaskFacts = envelope.event
    recurs = bool(task.rrule and task.recurrence_mode and task.due_at and task.series_id)
    known = (
        await session.execute(
            select(series_task).where(series_task.c.task_id == task.task_id).with_for_update()
        )
    ).first()
    if known is not None and known.revision >= task.revision:
        return  # a late redelivery of something already overtaken
    if known is None and not recurs:
        return  # nothing to generate; tracked from the change that gives it a rule, if any
    index = known.occurrence_index if known is not None else await _index_of(session, task)
    if recurs:
        current = (
            await session.execute(
                select(series).where(series.c.id == task.series_id).with_for_update()
            )
        ).first()
        if current is None:
            await session.execute(
                insert(series)
                .values(
                    id=task.series_id,
                    household_id=task.household_id,
                    rrule=task.rrule,
                    mode=task.recurrence_mode,
                    timezone=task.timezone,
                    anchor_at=task.due_at,
                )
                .on_conflict_do_nothing()
            )
        elif (current.rrule, current.mode) != (task.rrule, task.recurrence_mode):
            await session.execute(
                update(series)
                .where(series.c.id == task.series_id)
                .values(
                    rrule=task.rrule,
                    mode=task.recurrence_mode,
                    timezone=task.timezone,
                    anchor_at=task.due_at,
                )
            )
            index = 0
    values = {
        "series_id": task.series_id or task.task_id,
        "revision": task.revision,
        "occurrence_index": index,
        "status": task.status,
        "recurs": recurs,
        "due_at": task.due_at,
        "assignee_id": task.assignee_id,
        "completed_by": task.completed_by,
        "rotation": list(task.rotation),
        "rotation_mode": task.rotation_mode,
    }
    await session.execute(
        insert(series_task)
        .values(task_id=task.task_id, **values)
        .on_conflict_do_update(index_elements=["task_id"], set_=values)
    )
    if isinstance(task, TaskCompleted) and recurs:
        await request_successor(session, task.task_id, task.completed_at or datetime.now(UTC))


async def request_successor(
    session: AsyncSession, task_id: uuid.UUID, completed_at: datetime | None
) -> None:
    """Record the occurrence after this task, once per task (the row lock and `successor_due_at` see
    to that) and once per series and occurrence (the unique key sees to that)."""
    row = (
        await session.execute(
            select(
                series_task,
                series.c.rrule,
                series.c.mode,
                series.c.timezone,
                series.c.anchor_at,
                series.c.household_id,
            )
            .join(series, series.c.id == series_task.c.series_id)
            .where(
                series_task.c.task_id == task_id,
                series_task.c.successor_due_at.is_(None),
                series_task.c.series_ended.is_(False),
                series_task.c.recurs.is_(True),
            )
            .with_for_update(of=series_task)
        )
    ).first()
    if row is None:
        return
    try:
        # CPU work, bounded by a deadline: in a worker thread, never on the event loop
        due = await asyncio.to_thread(
            next_due,
            row.rrule,
            row.mode,
            row.timezone,
            row.anchor_at,
            row.due_at,
            row.occurrence_index,
            completed_at,
        )
    except (RuleRefused, ZoneInfoNotFoundError) as exc:
        # a rule or zone kept from before they were validated, or a rule too costly to expand: the series
        # cannot go on, and retrying would not change that (but would hold up what else this batch handles)
        log.warning("recurrence.series_stopped", task_id=str(task_id), reason=str(exc))
        due = None
    if due is None:
        await session.execute(
            update(series_task).where(series_task.c.task_id == task_id).values(series_ended=True)
        )
        return
    await session.execute(
        update(series_task).where(series_task.c.task_id == task_id).values(successor_due_at=due)
    )
    occurs = due.astimezone(UTC).isoformat()
    payload: dict = {"occurrence_due_at": occurs}
    if row.rotation_mode and row.rotation:
        # chosen once, here: the recorded request is what every retry sends
        pick = await _whose_turn(session, row)
        payload["assignee_id"] = str(pick) if pick is not None else None
    await session.execute(
        insert(occurrence)
        .values(
            id=uuid.uuid4(),
            kind="task",
            subject_id=row.series_id,
            occurrence=occurs,
            occurrence_index=row.occurrence_index + 1,
            source_id=task_id,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["kind", "subject_id", "occurrence"])
    )


async def _whose_turn(session: AsyncSession, row) -> uuid.UUID | None:
    """The rotation's pick for the task after `row` (rotation.py), from how often each member has done
    this chore (the series' done tasks) and who has left the household."""
    counts = dict(
        (
            await session.execute(
                select(series_task.c.completed_by, func.count())
                .where(
                    series_task.c.series_id == row.series_id,
                    series_task.c.status == "done",
                    series_task.c.completed_by.is_not(None),
                )
                .group_by(series_task.c.completed_by)
            )
        ).all()
    )
    departed = set(
        await session.scalars(
            select(former_member.c.user_id).where(
                former_member.c.household_id == row.household_id,
                former_member.c.user_id.in_(row.rotation),
            )
        )
    )
    return next_assignee(
        row.rotation_mode, row.rotation, departed, row.assignee_id, row.completed_by, counts
    )


async def forget_task(session: AsyncSession, envelope: Envelope) -> None:
    """A deleted task gets no successor."""
    await session.execute(
        delete(series_task).where(series_task.c.task_id == envelope.event.task_id)
    )


# households and yearly occasions -----------------------------------------------------------------
# each takes a run of its events at once (`Together`): a backlog of sign-ups costs a statement a run
@Together
async def note_households(session: AsyncSession, envelopes: list[Envelope]) -> None:
    await keep_time_zones(session, household, envelopes)


@Together
async def note_members_left(session: AsyncSession, envelopes: list[Envelope]) -> None:
    """A member who leaves takes no more turns at the household's chores."""
    await set_writes.upsert(session, former_member, member_rows(envelopes), key=MEMBER_KEY)


@Together
async def note_members_joined(session: AsyncSession, envelopes: list[Envelope]) -> None:
    """One who comes back takes turns again where a rotation still names them."""
    await set_writes.delete_keys(session, former_member, member_rows(envelopes))


async def track_occasion(session: AsyncSession, envelope: Envelope) -> None:
    occasion: OccasionFacts = envelope.event
    if not occasion.recurs_yearly:
        await session.execute(
            delete(yearly_occasion).where(yearly_occasion.c.occasion_id == occasion.occasion_id)
        )
        return
    tz = (
        await session.scalar(
            select(household.c.timezone).where(household.c.id == occasion.household_id)
        )
        or "UTC"
    )
    changed_at = envelope.cloudevent.time or datetime.now(UTC)
    occurs_on = occasion_on_or_after(occasion.date, local_today(changed_at, tz))
    values = {
        "household_id": occasion.household_id,
        "first_date": occasion.date,
        "occurs_on": occurs_on,
        "rolls_at": day_ends_at(occurs_on, tz),
    }
    await session.execute(
        insert(yearly_occasion)
        .values(occasion_id=occasion.occasion_id, **values)
        .on_conflict_do_update(index_elements=["occasion_id"], set_=values)
    )


async def forget_occasion(session: AsyncSession, envelope: Envelope) -> None:
    await session.execute(
        delete(yearly_occasion).where(yearly_occasion.c.occasion_id == envelope.event.occasion_id)
    )


async def roll_over(session: AsyncSession, occasion_id: uuid.UUID) -> None:
    """The occasion's day is over: record the roll-over to its next date and track that one."""
    row = (
        await session.execute(
            select(yearly_occasion, household.c.timezone)
            .outerjoin(household, household.c.id == yearly_occasion.c.household_id)
            .where(yearly_occasion.c.occasion_id == occasion_id)
            .with_for_update(of=yearly_occasion)
        )
    ).first()
    if row is None:
        return
    tz = row.timezone or "UTC"
    next_on = occasion_after(row.first_date, row.occurs_on)
    await session.execute(
        insert(occurrence)
        .values(
            id=uuid.uuid4(),
            kind="occasion",
            subject_id=occasion_id,
            occurrence=next_on.isoformat(),
            source_id=occasion_id,
            payload={"previous_date": row.occurs_on.isoformat(), "next_date": next_on.isoformat()},
        )
        .on_conflict_do_nothing(index_elements=["kind", "subject_id", "occurrence"])
    )
    await session.execute(
        update(yearly_occasion)
        .where(and_(yearly_occasion.c.occasion_id == occasion_id))
        .values(occurs_on=next_on, rolls_at=day_ends_at(next_on, tz))
    )


HANDLERS: dict[str, Handler] = {
    HouseholdCreated.event_type(): note_households,
    HouseholdUpdated.event_type(): note_households,
    MemberJoined.event_type(): note_members_joined,
    MemberRemoved.event_type(): note_members_left,
    **{
        e.event_type(): track_task
        for e in (TaskCreated, TaskUpdated, TaskRescheduled, TaskCompleted, TaskReopened)
    },
    TaskDeleted.event_type(): forget_task,
    OccasionCreated.event_type(): track_occasion,
    OccasionUpdated.event_type(): track_occasion,
    OccasionDeleted.event_type(): forget_occasion,
}
