"""The recurring processor's command: make the next task of a series, due at a given time.

Idempotent, because the processor asks again until it hears back: keyed by the task it follows and by
(series, due time), a repeated request finds the task the first one made.

A rotating chore's next one goes to whom the processor chose from the rotation. The processor learns
of members leaving and of changed rotations from events, a moment late: one it chose who is no longer
in the rotation or the household, or whom the task is now about (a surprise for them), is not given
it, and the task is left open for anyone to take.
"""

import datetime as dt
import uuid
from typing import cast

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.households import Membership
from services.gateway.models.tasks import Task
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.task_audience import task_about
from services.gateway.use_cases.task_events import stage_task_event
from shared.errors import InvalidInput, NotFound
from shared.events.tasks import TaskCreated


async def _successor(session: AsyncSession, source: Task, due: dt.datetime) -> Task | None:
    return await session.scalar(
        select(Task).where(
            or_(
                Task.previous_task_id == source.id,
                (Task.series_id == source.series_id) & (Task.occurrence_at == due),
            )
        )
    )


KEEP = object()  # no pick: the next one goes to whoever has this one


async def create_next_occurrence(
    session: AsyncSession, task_id: uuid.UUID, due: dt.datetime, assignee: object = KEEP
) -> tuple[Task, bool]:
    """The task after `task_id` in its series, due at `due`: made once, found again on every retry.
    `assignee` is the rotation's pick (a member's id, or None for nobody yet)."""
    try:
        return await _create_next_occurrence(session, task_id, due, assignee)
    except IntegrityError:
        # another request made this occurrence between our look and our insert: it is the answer
        async with session.begin():
            source = await session.get(Task, task_id)
            existing = await _successor(session, source, due) if source is not None else None
        if existing is None:
            raise
        return existing, False


async def _may_have_it(session: AsyncSession, source: Task, user_id: uuid.UUID) -> bool:
    """In the rotation as it is now (if it has one), still a member, and not someone the chore is about."""
    if (source.rotation and user_id not in source.rotation) or not await session.scalar(
        select(Membership.user_id).where(
            Membership.household_id == source.household_id, Membership.user_id == user_id
        )
    ):
        return False
    about = await task_about(session, source, await household_viewers(session, source.household_id))
    return user_id == source.created_by or user_id not in about.users


async def _create_next_occurrence(
    session: AsyncSession, task_id: uuid.UUID, due: dt.datetime, assignee: object
) -> tuple[Task, bool]:
    async with session.begin():
        source = await session.get(Task, task_id, with_for_update=True)
        if source is None:
            raise NotFound("No such task.")
        if source.series_id is None or source.rrule is None:
            raise InvalidInput("task_id", "does not repeat (any more)")
        if (existing := await _successor(session, source, due)) is not None:
            return existing, False
        picked = source.assignee_id if assignee is KEEP else cast(uuid.UUID | None, assignee)
        if assignee is not KEEP and picked is not None:
            picked = picked if await _may_have_it(session, source, picked) else None
        task = Task(
            household_id=source.household_id,
            title=source.title,
            notes=source.notes,
            assignee_id=picked,
            due_at=due,
            occasion_id=source.occasion_id,
            person_id=source.person_id,
            list_item_id=source.list_item_id,
            reminders=list(source.reminders),
            rrule=source.rrule,
            recurrence_mode=source.recurrence_mode,
            rotation=list(source.rotation),
            rotation_mode=source.rotation_mode,
            series_id=source.series_id,
            occurrence_at=due,
            previous_task_id=source.id,
            created_by=source.created_by,
        )
        session.add(task)
        await session.flush()
        await stage_task_event(session, TaskCreated, task, None)
        return task, True
