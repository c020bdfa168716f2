"""Task use cases that change a task: create, change, complete, reopen, delete.

Every change bumps the task's `revision` and stages one event: task.rescheduled when the due time,
reminders or recurrence changed (what the reminder and recurring services act on), task.updated for
anything else. Reads are in task_reads, validity in task_rules, whom a task is kept from in
task_audience, its events in task_events.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.households import Member
from services.gateway.models.tasks import (
    RecurrenceMode,
    Task,
    TaskCreate,
    TaskPublic,
    TaskStatus,
    TaskUpdate,
)
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.task_audience import task_hidden
from services.gateway.use_cases.task_events import household_timezone, stage_task_event
from services.gateway.use_cases.task_reads import to_public, visible_task
from services.gateway.use_cases.task_rules import check_links, check_schedule
from shared.errors import InvalidInput
from shared.events.tasks import (
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskReopened,
    TaskRescheduled,
    TaskUpdated,
)
from shared.outbox import add_event

SCHEDULE_FIELDS = ("due_at", "reminders", "rrule", "recurrence_mode")


async def add_task(session: AsyncSession, member: Member, data: TaskCreate) -> Task:
    """A new task and its event, in the caller's transaction (a use case that makes a task along
    with something else, e.g. a thank-you for a gift, commits both or neither)."""
    if (
        "recurrence_mode" in data.model_fields_set
        and data.recurrence_mode == RecurrenceMode.FROM_COMPLETION
        and not data.rrule
    ):
        raise InvalidInput(
            "recurrence_mode",
            "from_completion needs a repeat rule (rrule), e.g. FREQ=DAILY;INTERVAL=3 for every "
            "3 days after it was done",
        )
    task = Task.model_validate(
        data,
        update={
            "household_id": member.household_id,
            "created_by": member.user_id,
            "recurrence_mode": data.recurrence_mode if data.rrule else None,
        },
    )
    await check_schedule(
        task, await household_timezone(session, member.household_id), utcnow(), creating=True
    )
    viewers = await household_viewers(session, member.household_id)
    viewer = next(v for v in viewers if v.user_id == member.user_id)
    await check_links(session, member, viewer, task, viewers)
    if task.rrule:
        task.series_id = task.id
    session.add(task)
    await session.flush()
    await stage_task_event(session, TaskCreated, task, member.user_id)
    return task


async def create_task(session: AsyncSession, member: Member, data: TaskCreate) -> TaskPublic:
    async with session.begin():
        return to_public(await add_task(session, member, data))


async def update_task(
    session: AsyncSession, member: Member, task_id: uuid.UUID, data: TaskUpdate
) -> TaskPublic:
    changes = data.model_dump(exclude_unset=True)
    for field in ("title", "reminders", "recurrence_mode", "rotation"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "can be changed but not emptied to null")
    async with session.begin():
        task = await visible_task(session, member, task_id, lock=True)
        timezone = await household_timezone(
            session, member.household_id
        )  # read before the change: no early flush
        before = {field: getattr(task, field) for field in changes}
        previous_due_at = task.due_at
        for field, value in changes.items():
            setattr(task, field, value)
        if task.rrule and task.recurrence_mode is None:
            task.recurrence_mode = RecurrenceMode.FROM_DUE
        if not task.rrule and changes.get("recurrence_mode") == RecurrenceMode.FROM_COMPLETION:
            raise InvalidInput(
                "recurrence_mode", "from_completion needs a repeat rule (rrule) to count from"
            )
        await check_schedule(task, timezone, utcnow(), creating=False)
        changed = tuple(sorted(f for f in changes if getattr(task, f) != before[f]))
        if not changed:
            return to_public(task)
        with session.no_autoflush:
            viewers = await household_viewers(session, member.household_id)
            await check_links(
                session,
                member,
                next(v for v in viewers if v.user_id == member.user_id),
                task,
                viewers,
            )
        if task.rrule and task.series_id is None:
            task.series_id = task.id
        task.revision += 1
        task.updated_at = utcnow()
        if set(changed) & set(SCHEDULE_FIELDS):
            await stage_task_event(
                session,
                TaskRescheduled,
                task,
                member.user_id,
                changed=changed,
                previous_due_at=previous_due_at,
            )
        else:
            await stage_task_event(session, TaskUpdated, task, member.user_id, changed=changed)
        return to_public(task)


async def change_status(
    session: AsyncSession, task: Task, status: TaskStatus, actor_id: uuid.UUID
) -> None:
    """Mark a (locked) task done or open again, in the caller's transaction; done twice is done
    once: no second event, no second occurrence."""
    if task.status == status:
        return
    now = utcnow()
    task.status = status
    task.completed_at, task.completed_by = (
        (now, actor_id) if status == TaskStatus.DONE else (None, None)
    )
    task.revision += 1
    task.updated_at = now
    await stage_task_event(
        session, TaskCompleted if status == TaskStatus.DONE else TaskReopened, task, actor_id
    )


async def _set_status(
    session: AsyncSession, member: Member, task_id: uuid.UUID, status: TaskStatus
) -> TaskPublic:
    async with session.begin():
        task = await visible_task(session, member, task_id, lock=True)
        await change_status(session, task, status, member.user_id)
        return to_public(task)


async def complete_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskPublic:
    return await _set_status(session, member, task_id, TaskStatus.DONE)


async def reopen_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskPublic:
    return await _set_status(session, member, task_id, TaskStatus.OPEN)


async def remove_task(session: AsyncSession, task: Task, actor_id: uuid.UUID) -> None:
    """Delete a (locked) task and stage its event, in the caller's transaction."""
    kept_from = await task_hidden(
        session, task, await household_viewers(session, task.household_id)
    )
    await session.delete(task)
    await add_event(
        session,
        outbox,
        TaskDeleted(
            household_id=task.household_id,
            actor_id=actor_id,
            **kept_from.fields,
            task_id=task.id,
            revision=task.revision + 1,
            series_id=task.series_id,
        ),
    )


async def delete_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> None:
    async with session.begin():
        task = await visible_task(session, member, task_id, lock=True)
        await remove_task(session, task, member.user_id)
