"""A task's events: everything a consumer needs to act without calling back (the reminder and
recurring services, notification, audit), with whom the task is kept from, staged in the outbox."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox
from services.gateway.models.households import Household
from services.gateway.models.tasks import Task
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.task_audience import task_hidden
from shared.events.tasks import TaskFacts
from shared.outbox import add_event


async def household_timezone(session: AsyncSession, household_id: uuid.UUID) -> str:
    return (
        await session.scalar(select(Household.timezone).where(Household.id == household_id))
        or "UTC"
    )


async def task_facts(session: AsyncSession, task: Task, actor_id: uuid.UUID | None) -> dict:
    viewers = await household_viewers(session, task.household_id)
    return dict(
        household_id=task.household_id,
        actor_id=actor_id,
        **(await task_hidden(session, task, viewers)).fields,
        task_id=task.id,
        revision=task.revision,
        title=task.title,
        status=task.status,
        assignee_id=task.assignee_id,
        due_at=task.due_at,
        timezone=await household_timezone(session, task.household_id),
        reminder_offsets=tuple(task.reminders),
        rrule=task.rrule,
        recurrence_mode=task.recurrence_mode,
        series_id=task.series_id,
        occurrence_at=task.occurrence_at,
        occasion_id=task.occasion_id,
        person_id=task.person_id,
        list_item_id=task.list_item_id,
        created_by=task.created_by,
        completed_at=task.completed_at,
        completed_by=task.completed_by,
        rotation=tuple(task.rotation),
        rotation_mode=task.rotation_mode,
    )


async def stage_task_event(
    session: AsyncSession,
    event_type: type[TaskFacts],
    task: Task,
    actor_id: uuid.UUID | None,
    **extra,
) -> None:
    await add_event(
        session, outbox, event_type(**await task_facts(session, task, actor_id), **extra)
    )
