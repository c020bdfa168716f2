"""Chores as families run them: an open task (nobody's yet) that any member takes, or gives back, and
who did a chore's occurrences when.

Taking is decided under the task's row lock: of two members taking the same open task at once, the
second reads it as the first left it, and is told who has it (409). Taking or giving back is a change
of assignee like any other: one task.updated event, so the reminder service moves the task's
reminders to whoever has it now.
"""

import uuid
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.gateway.models import utcnow
from services.gateway.models.accounts import UserAccount
from services.gateway.models.households import Member
from services.gateway.models.tasks import (
    DoneCount,
    Task,
    TaskDone,
    TaskHistory,
    TaskPublic,
    TaskStatus,
)
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.task_audience import task_hidden
from services.gateway.use_cases.task_events import stage_task_event
from services.gateway.use_cases.task_reads import to_public, visible_task
from shared.errors import Conflict
from shared.events.tasks import TaskUpdated

HISTORY_LENGTH = 100


async def _display_name(session: AsyncSession, user_id: uuid.UUID) -> str:
    return (
        await session.scalar(
            select(col(UserAccount.display_name)).where(col(UserAccount.id) == user_id)
        )
        or "someone else"
    )


async def _hand_to(
    session: AsyncSession, member: Member, task: Task, assignee: uuid.UUID | None
) -> TaskPublic:
    task.assignee_id = assignee
    task.revision += 1
    task.updated_at = utcnow()
    await stage_task_event(session, TaskUpdated, task, member.user_id, changed=("assignee_id",))
    return to_public(task)


async def take_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskPublic:
    """The caller takes an open task nobody has; taking one's own again changes nothing."""
    async with session.begin():
        task = await visible_task(session, member, task_id, lock=True)
        if task.assignee_id == member.user_id:
            return to_public(task)
        if task.status == TaskStatus.DONE:
            raise Conflict(f"“{task.title}” is already done; reopen it first.")
        if task.assignee_id is not None:
            name = await _display_name(session, task.assignee_id)
            raise Conflict(
                f"“{task.title}” has already been taken by {name}; they can give it back."
            )
        return await _hand_to(session, member, task, member.user_id)


async def give_back_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskPublic:
    """The caller's task becomes open again, for anyone to take; giving back an open one does nothing."""
    async with session.begin():
        task = await visible_task(session, member, task_id, lock=True)
        if task.assignee_id is None:
            return to_public(task)
        if task.assignee_id != member.user_id:
            name = await _display_name(session, task.assignee_id)
            raise Conflict(f"“{task.title}” is {name}'s; only they can give it back.")
        return await _hand_to(session, member, task, None)


async def task_history(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskHistory:
    """Who did this chore's occurrences (its series'), latest first, and how often each member did.

    An occurrence changed on its own to be about someone the caller must not know of is left out,
    as it is from every other read."""
    async with session.begin():
        task = await visible_task(session, member, task_id)
        same_chore = (
            col(Task.series_id) == task.series_id
            if task.series_id is not None
            else col(Task.id) == task.id
        )
        rows = await session.scalars(
            select(Task)
            .where(
                col(Task.household_id) == member.household_id,
                same_chore,
                col(Task.status) == TaskStatus.DONE,
            )
            .order_by(col(Task.completed_at).desc().nulls_last(), col(Task.id))
        )
        viewers = await household_viewers(session, member.household_id)
        done = [
            t for t in rows if member.user_id not in (await task_hidden(session, t, viewers)).users
        ]
    counted = Counter(t.completed_by for t in done if t.completed_by is not None)
    for user_id in task.rotation:
        counted.setdefault(user_id, 0)
    order = {u: i for i, u in enumerate(task.rotation)}
    counts = sorted(counted.items(), key=lambda c: (-c[1], order.get(c[0], len(order)), str(c[0])))
    return TaskHistory(
        series_id=task.series_id,
        counts=[DoneCount(user_id=u, done=n) for u, n in counts],
        done=[
            TaskDone(
                task_id=t.id,
                due_at=t.due_at,
                assignee_id=t.assignee_id,
                completed_by=t.completed_by,
                completed_at=t.completed_at or t.updated_at,
            )
            for t in done[:HISTORY_LENGTH]
        ],
    )
