"""Reading tasks: one, a page of the household's (filtered), and the caller's open ones for the
dashboard. A task kept from the caller is not there for them."""

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.households import Member
from services.gateway.models.tasks import Task, TaskPublic, TaskStatus
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.scoped import get_own
from services.gateway.use_cases.task_audience import task_hidden
from shared.errors import NotFound
from shared.pages import Page, PageRequest, fetch_page


def to_public(task: Task) -> TaskPublic:
    return TaskPublic.model_validate(task)


async def visible_task(
    session: AsyncSession, member: Member, task_id: uuid.UUID, *, lock: bool = False
) -> Task:
    task = await get_own(session, Task, member, task_id, "task", lock=lock)
    if (
        member.user_id
        in (
            await task_hidden(session, task, await household_viewers(session, member.household_id))
        ).users
    ):
        raise NotFound("No such task in this household.")
    return task


async def get_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskPublic:
    async with session.begin():
        return to_public(await visible_task(session, member, task_id))


async def list_tasks(
    session: AsyncSession,
    member: Member,
    page: PageRequest,
    *,
    mine: bool = False,
    unassigned: bool = False,
    status: TaskStatus | None = None,
    due_after: dt.datetime | None = None,
    due_before: dt.datetime | None = None,
    occasion_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    list_item_id: uuid.UUID | None = None,
) -> Page[TaskPublic]:
    query = select(Task).where(Task.household_id == member.household_id)
    if mine:
        query = query.where(Task.assignee_id == member.user_id)
    if unassigned:
        query = query.where(Task.assignee_id.is_(None))
    if status:
        query = query.where(Task.status == status)
    if due_after:
        query = query.where(Task.due_at >= due_after)
    if due_before:
        query = query.where(Task.due_at < due_before)
    for column, value in (
        (Task.occasion_id, occasion_id),
        (Task.person_id, person_id),
        (Task.list_item_id, list_item_id),
    ):
        if value:
            query = query.where(column == value)

    async def shape(rows: list[Task]) -> list[TaskPublic | None]:
        return [
            None
            if member.user_id in (await task_hidden(session, t, viewers)).users
            else to_public(t)
            for t in rows
        ]

    async with session.begin():
        viewers = await household_viewers(session, member.household_id)
        return await fetch_page(session, query, (Task.due_sort, Task.id), page, shape)


async def my_open_tasks(session: AsyncSession, member: Member, limit: int = 10) -> list[Task]:
    """The caller's open tasks, soonest due first (for the dashboard), in the caller's transaction."""
    return list(
        await session.scalars(
            select(Task)
            .where(
                Task.household_id == member.household_id,
                Task.assignee_id == member.user_id,
                Task.status == TaskStatus.OPEN,
            )
            .order_by(Task.due_sort, Task.id)
            .limit(limit)
        )
    )
