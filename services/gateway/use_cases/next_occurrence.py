"""The recurring processor's command: make the next task of a series, due at a given time.

Idempotent, because the processor asks again until it hears back: keyed by the task it follows and by
(series, due time), a repeated request finds the task the first one made.
"""

import datetime as dt
import uuid

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.tasks import Task
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


async def create_next_occurrence(
    session: AsyncSession, task_id: uuid.UUID, due: dt.datetime
) -> tuple[Task, bool]:
    """The task after `task_id` in its series, due at `due`: made once, found again on every retry."""
    try:
        return await _create_next_occurrence(session, task_id, due)
    except IntegrityError:
        # another request made this occurrence between our look and our insert: it is the answer
        async with session.begin():
            source = await session.get(Task, task_id)
            existing = await _successor(session, source, due) if source is not None else None
        if existing is None:
            raise
        return existing, False


async def _create_next_occurrence(
    session: AsyncSession, task_id: uuid.UUID, due: dt.datetime
) -> tuple[Task, bool]:
    async with session.begin():
        source = await session.get(Task, task_id, with_for_update=True)
        if source is None:
            raise NotFound("No such task.")
        if source.series_id is None or source.rrule is None:
            raise InvalidInput("task_id", "does not repeat (any more)")
        if (existing := await _successor(session, source, due)) is not None:
            return existing, False
        task = Task(
            household_id=source.household_id,
            title=source.title,
            notes=source.notes,
            assignee_id=source.assignee_id,
            due_at=due,
            occasion_id=source.occasion_id,
            person_id=source.person_id,
            list_item_id=source.list_item_id,
            reminders=list(source.reminders),
            rrule=source.rrule,
            recurrence_mode=source.recurrence_mode,
            series_id=source.series_id,
            occurrence_at=due,
            previous_task_id=source.id,
            created_by=source.created_by,
        )
        session.add(task)
        await session.flush()
        await stage_task_event(session, TaskCreated, task, None)
        return task, True
