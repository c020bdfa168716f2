"""Task use cases: create, read, list, change, complete, reopen, delete; and the next task of a series.

Every change bumps the task's `revision` and stages one event: task.rescheduled when the due time,
reminders or recurrence changed (what the reminder and recurring services act on), task.updated for
anything else. A task about someone (a person, an occasion for them, a gift on a list for them) is kept
from them, in reads and in events, unless they made it or it is theirs to do.
"""

import asyncio
import datetime as dt
import uuid

import httpx
from dateutil.relativedelta import relativedelta
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.households import Household, Member, Membership
from services.gateway.models.lists import GiftList, ListItem
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.models.tasks import (
    OccasionOccurrence,
    RollOver,
    SnoozeRequest,
    Task,
    TaskCreate,
    TaskPublic,
    TaskStatus,
    TaskUpdate,
)
from services.gateway.services.audience import gift_facts, household_viewers, list_facts
from services.gateway.services.occasions import people_of
from services.gateway.services.scoped import get_own, get_referenced
from services.gateway.surprise import Hidden, View, Viewer, hidden, item_view
from shared.dapr import DaprClient
from shared.errors import AppError, InvalidInput, NotFound
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
from shared.outbox import add_event
from shared.pages import Page, PageRequest, fetch_page
from shared.validation import parse_offset
from shared.validation.rrules import RuleRefused, check_repeats

SCHEDULE_FIELDS = ("due_at", "reminders", "rrule", "recurrence_mode")


# rules -------------------------------------------------------------------------------------------
async def check_rrule(rule: str, due_at: dt.datetime, timezone: str, mode: str) -> str:
    """The rule without an `RRULE:` prefix, if the recurring service can repeat the task by it;
    InvalidInput saying why not. Worked out in a thread: it is CPU work, bounded by a deadline."""
    try:
        return await asyncio.to_thread(check_repeats, rule, due_at, timezone, mode)
    except RuleRefused as exc:
        raise InvalidInput("rrule", str(exc)) from None


async def check_schedule(task: Task, timezone: str, now: dt.datetime, creating: bool) -> None:
    if task.due_at is None:
        if task.reminders:
            raise InvalidInput("reminders", "need a due time to count back from")
        if task.rrule:
            raise InvalidInput("rrule", "needs a due time to repeat from")
        return
    if creating and task.due_at < now:
        raise InvalidInput("due_at", "is in the past; a new task is due now or later")
    if task.rrule:
        task.rrule = await check_rrule(
            task.rrule, task.due_at, timezone, task.recurrence_mode or "from_due"
        )


async def _check_links(session: AsyncSession, member: Member, viewer: Viewer, task: Task) -> None:
    if task.assignee_id is not None and not await session.scalar(
        select(Membership.user_id).where(
            Membership.household_id == member.household_id, Membership.user_id == task.assignee_id
        )
    ):
        raise InvalidInput("assignee_id", "is not a member of this household")
    if task.occasion_id is not None:
        await get_referenced(session, Occasion, member, task.occasion_id, "occasion_id", "occasion")
    if task.person_id is not None:
        await get_referenced(session, Person, member, task.person_id, "person_id", "person")
    if task.list_item_id is not None:
        item = await get_referenced(
            session, ListItem, member, task.list_item_id, "list_item_id", "list item"
        )
        lst = await session.get_one(GiftList, item.list_id)
        if (
            item_view(viewer, list_facts(lst), await gift_facts(session, item.gift_id))
            is not View.FULL
        ):
            raise InvalidInput("list_item_id", "is not a list item of this household")


async def task_hidden(session: AsyncSession, task: Task, viewers: list[Viewer]) -> Hidden:
    """The members the task is about, who must not learn of it (never its maker nor its assignee), and
    the people it is about, whose members must not either, whoever is linked to them later."""
    people = {task.person_id} if task.person_id else set()
    if task.occasion_id:
        people |= set((await people_of(session, [task.occasion_id]))[task.occasion_id])
    about = hidden(
        viewers, lambda v: View.HIDDEN if v.person_ids & people else View.FULL, about=people
    )
    users, persons = set(about.users), set(about.persons)
    if task.list_item_id:
        item = await session.get(ListItem, task.list_item_id)
        if item is not None:
            lst, gift = (
                await session.get_one(GiftList, item.list_id),
                await gift_facts(session, item.gift_id),
            )
            of_item = hidden(
                viewers,
                lambda v: item_view(v, list_facts(lst), gift),
                about=gift.recipient_person_ids | {lst.person_id},
            )
            users |= set(of_item.users)
            persons |= set(of_item.persons)
    return Hidden(
        tuple(sorted(users - {task.created_by, task.assignee_id}, key=str)),
        tuple(sorted(persons, key=str)),
    )


# events ------------------------------------------------------------------------------------------
async def _timezone(session: AsyncSession, household_id: uuid.UUID) -> str:
    return (
        await session.scalar(select(Household.timezone).where(Household.id == household_id))
        or "UTC"
    )


async def _facts(session: AsyncSession, task: Task, actor_id: uuid.UUID | None) -> dict:
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
        timezone=await _timezone(session, task.household_id),
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
    )


async def _publish(
    session: AsyncSession,
    event_type: type[TaskFacts],
    task: Task,
    actor_id: uuid.UUID | None,
    **extra,
) -> None:
    await add_event(session, outbox, event_type(**await _facts(session, task, actor_id), **extra))


# reads -------------------------------------------------------------------------------------------
def to_public(task: Task) -> TaskPublic:
    return TaskPublic.model_validate(task)


async def _visible(
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
        return to_public(await _visible(session, member, task_id))


async def list_tasks(
    session: AsyncSession,
    member: Member,
    page: PageRequest,
    *,
    mine: bool = False,
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


# changes -----------------------------------------------------------------------------------------
async def create_task(session: AsyncSession, member: Member, data: TaskCreate) -> TaskPublic:
    async with session.begin():
        task = Task.model_validate(
            data,
            update={
                "household_id": member.household_id,
                "created_by": member.user_id,
                "recurrence_mode": data.recurrence_mode if data.rrule else None,
            },
        )
        await check_schedule(
            task, await _timezone(session, member.household_id), utcnow(), creating=True
        )
        viewer = next(
            v
            for v in await household_viewers(session, member.household_id)
            if v.user_id == member.user_id
        )
        await _check_links(session, member, viewer, task)
        if task.rrule:
            task.series_id = task.id
        session.add(task)
        await session.flush()
        await _publish(session, TaskCreated, task, member.user_id)
        return to_public(task)


async def update_task(
    session: AsyncSession, member: Member, task_id: uuid.UUID, data: TaskUpdate
) -> TaskPublic:
    changes = data.model_dump(exclude_unset=True)
    for field in ("title", "reminders", "recurrence_mode"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "can be changed but not emptied to null")
    async with session.begin():
        task = await _visible(session, member, task_id, lock=True)
        timezone = await _timezone(
            session, member.household_id
        )  # read before the change: no early flush
        before = {field: getattr(task, field) for field in changes}
        previous_due_at = task.due_at
        for field, value in changes.items():
            setattr(task, field, value)
        if task.rrule and task.recurrence_mode is None:
            task.recurrence_mode = "from_due"
        await check_schedule(task, timezone, utcnow(), creating=False)
        changed = tuple(sorted(f for f in changes if getattr(task, f) != before[f]))
        if not changed:
            return to_public(task)
        with session.no_autoflush:
            viewers = await household_viewers(session, member.household_id)
            await _check_links(
                session, member, next(v for v in viewers if v.user_id == member.user_id), task
            )
        if task.rrule and task.series_id is None:
            task.series_id = task.id
        task.revision += 1
        task.updated_at = utcnow()
        if set(changed) & set(SCHEDULE_FIELDS):
            await _publish(
                session,
                TaskRescheduled,
                task,
                member.user_id,
                changed=changed,
                previous_due_at=previous_due_at,
            )
        else:
            await _publish(session, TaskUpdated, task, member.user_id, changed=changed)
        return to_public(task)


async def _set_status(
    session: AsyncSession, member: Member, task_id: uuid.UUID, status: TaskStatus
) -> TaskPublic:
    async with session.begin():
        task = await _visible(session, member, task_id, lock=True)
        if task.status == status:
            return to_public(task)  # done twice is done once: no second event, no second occurrence
        now = utcnow()
        task.status = status
        task.completed_at, task.completed_by = (
            (now, member.user_id) if status == TaskStatus.DONE else (None, None)
        )
        task.revision += 1
        task.updated_at = now
        await _publish(
            session,
            TaskCompleted if status == TaskStatus.DONE else TaskReopened,
            task,
            member.user_id,
        )
        return to_public(task)


async def complete_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskPublic:
    return await _set_status(session, member, task_id, TaskStatus.DONE)


async def reopen_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> TaskPublic:
    return await _set_status(session, member, task_id, TaskStatus.OPEN)


async def delete_task(session: AsyncSession, member: Member, task_id: uuid.UUID) -> None:
    async with session.begin():
        task = await _visible(session, member, task_id, lock=True)
        kept_from = await task_hidden(
            session, task, await household_viewers(session, member.household_id)
        )
        await session.delete(task)
        await add_event(
            session,
            outbox,
            TaskDeleted(
                household_id=task.household_id,
                actor_id=member.user_id,
                **kept_from.fields,
                task_id=task.id,
                revision=task.revision + 1,
                series_id=task.series_id,
            ),
        )


# the recurring processor's command ---------------------------------------------------------------
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
        await _publish(session, TaskCreated, task, None)
        return task, True


async def roll_over_occasion(session: AsyncSession, occasion_id: uuid.UUID, data: RollOver) -> bool:
    """Record that a yearly occasion comes next on `data.next_date`; True the first time only."""
    async with session.begin():
        occasion = await session.get(Occasion, occasion_id)
        if occasion is None:
            raise NotFound("No such occasion.")
        if not occasion.recurs_yearly:
            raise InvalidInput("occasion_id", "does not come back every year")
        recorded = await session.scalar(
            insert(OccasionOccurrence)
            .values(
                occasion_id=occasion_id,
                occurs_on=data.next_date,
                previous_date=data.previous_date,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
            .returning(OccasionOccurrence.occasion_id)
        )
        if recorded is None:
            return False
        await add_event(
            session,
            outbox,
            OccasionRolledOver(
                household_id=occasion.household_id,
                occasion_id=occasion.id,
                name=occasion.name,
                kind=occasion.kind,
                previous_date=data.previous_date,
                next_date=data.next_date,
                person_ids=tuple((await people_of(session, [occasion.id]))[occasion.id]),
            ),
        )
        return True


# snoozing, kept by the reminder service ----------------------------------------------------------
async def snooze_reminder(
    dapr: DaprClient, member: Member, reminder_id: uuid.UUID, data: SnoozeRequest
) -> dict:
    if (data.until is None) == (data.snooze_for is None):
        raise InvalidInput(
            "until", "give either `until` (a time) or `for` (a duration such as PT15M)"
        )
    if data.until is not None:
        until = data.until
    else:
        offset = parse_offset(data.snooze_for)  # read and bounded by the request model already
        until = utcnow() + relativedelta(
            years=offset.years,
            months=offset.months,
            weeks=offset.weeks,
            days=offset.days,
            hours=offset.hours,
            minutes=offset.minutes,
            seconds=offset.seconds,
        )
    body = {
        "household_id": str(member.household_id),
        "user_id": str(member.user_id),
        "until": until.isoformat(),
    }
    try:
        response = await dapr.invoke(
            "reminder", f"internal/reminders/{reminder_id}/snooze", json=body
        )
    except httpx.HTTPError:
        raise Unavailable(
            "Reminders can't be snoozed just now; please try again in a moment."
        ) from None
    if response.status_code == 404:
        raise NotFound("No such reminder in this household.")
    if response.status_code >= 300:
        raise Unavailable("Reminders can't be snoozed just now; please try again in a moment.")
    return response.json()


class Unavailable(AppError):
    status_code = 503
    code = "service_unavailable"
