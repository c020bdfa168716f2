import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.tasks import (
    SnoozePublic,
    SnoozeRequest,
    TaskCreate,
    TaskHistory,
    TaskPublic,
    TaskStatus,
    TaskUpdate,
)
from services.gateway.routes import internal_tasks
from services.gateway.use_cases import chores, snoozes, task_reads, tasks
from shared.errors import error_responses
from shared.pages import Page, Paging
from shared.validation import Moment
from shared.validation.moments import RANGE

scoped = APIRouter(prefix="/households/{household_id}", tags=["tasks"], responses=error_responses())

Window = Annotated[
    Moment | None, Query(description=f"With a UTC offset, e.g. 2026-12-01T00:00:00+01:00, {RANGE}.")
]


@scoped.post("/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
async def create_task(session: SessionDep, member: CurrentMember, body: TaskCreate):
    """Add a task. `due_at` needs a UTC offset; reminders and recurrence need a due time, and a new task
    is not due in the past."""
    return await tasks.create_task(session, member, body)


@scoped.get("/tasks", response_model=Page[TaskPublic])
async def list_tasks(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    mine: Annotated[bool, Query(description="Only the tasks assigned to me.")] = False,
    unassigned: Annotated[
        bool, Query(description="Only the tasks nobody has yet, for anyone to take.")
    ] = False,
    task_status: Annotated[TaskStatus | None, Query(alias="status")] = None,
    due_after: Window = None,
    due_before: Window = None,
    occasion_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    list_item_id: uuid.UUID | None = None,
):
    """The household's tasks, soonest due first (those without a due time last); `due_after` (included)
    and `due_before` (excluded) make a due window."""
    return await task_reads.list_tasks(
        session,
        member,
        paging,
        mine=mine,
        unassigned=unassigned,
        status=task_status,
        due_after=due_after,
        due_before=due_before,
        occasion_id=occasion_id,
        person_id=person_id,
        list_item_id=list_item_id,
    )


@scoped.get("/my-tasks", response_model=Page[TaskPublic])
async def my_tasks(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    task_status: Annotated[TaskStatus | None, Query(alias="status")] = TaskStatus.OPEN,
    due_after: Window = None,
    due_before: Window = None,
):
    """My tasks (assigned to me), open ones by default, soonest due first."""
    return await task_reads.list_tasks(
        session,
        member,
        paging,
        mine=True,
        status=task_status,
        due_after=due_after,
        due_before=due_before,
    )


@scoped.get("/tasks/{task_id}", response_model=TaskPublic)
async def get_task(session: SessionDep, member: CurrentMember, task_id: uuid.UUID):
    """One task."""
    return await task_reads.get_task(session, member, task_id)


@scoped.patch("/tasks/{task_id}", response_model=TaskPublic)
async def update_task(
    session: SessionDep, member: CurrentMember, task_id: uuid.UUID, body: TaskUpdate
):
    """Change a task; only the fields sent change. Moving its due time moves its pending reminders."""
    return await tasks.update_task(session, member, task_id, body)


@scoped.post("/tasks/{task_id}/complete", response_model=TaskPublic)
async def complete_task(session: SessionDep, member: CurrentMember, task_id: uuid.UUID):
    """Mark a task done; a recurring task's next one is then made. Done twice is done once."""
    return await tasks.complete_task(session, member, task_id)


@scoped.post("/tasks/{task_id}/take", response_model=TaskPublic)
async def take_task(session: SessionDep, member: CurrentMember, task_id: uuid.UUID):
    """Take a task nobody has yet: it becomes mine. 409 when someone else has it (of two taking it at
    once, one gets it); taking my own again changes nothing."""
    return await chores.take_task(session, member, task_id)


@scoped.post("/tasks/{task_id}/give-back", response_model=TaskPublic)
async def give_back_task(session: SessionDep, member: CurrentMember, task_id: uuid.UUID):
    """Give my task back: nobody has it, anyone may take it. 409 when it is someone else's."""
    return await chores.give_back_task(session, member, task_id)


@scoped.get("/tasks/{task_id}/history", response_model=TaskHistory)
async def task_history(session: SessionDep, member: CurrentMember, task_id: uuid.UUID):
    """Who did this chore when: its series' done occurrences, latest first, and how often each member
    has done it."""
    return await chores.task_history(session, member, task_id)


@scoped.post("/tasks/{task_id}/reopen", response_model=TaskPublic)
async def reopen_task(session: SessionDep, member: CurrentMember, task_id: uuid.UUID):
    """Mark a done task open again."""
    return await tasks.reopen_task(session, member, task_id)


@scoped.delete("/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_task(session: SessionDep, member: CurrentMember, task_id: uuid.UUID):
    """Remove a task and its pending reminders; a recurring task's series ends with it."""
    await tasks.delete_task(session, member, task_id)


@scoped.post("/reminders/{reminder_id}/snooze", response_model=SnoozePublic)
async def snooze_reminder(
    request: Request, member: CurrentMember, reminder_id: uuid.UUID, body: SnoozeRequest
):
    """Remind me again later (`until` a time, or `for` a duration such as PT15M). Only this reminder,
    only for me: the task's due time and its series stay as they are."""
    return await snoozes.snooze_reminder(request.app.state.dapr, member, reminder_id, body)


router = APIRouter()
router.include_router(scoped)
router.include_router(internal_tasks.router)
