"""What makes a task valid: a schedule the services can keep (a due time for reminders and recurrence,
an RRULE the recurring processor can repeat, turns only where there is a next time) and links to things
and members of this household the caller may see."""

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.households import Member, Membership
from services.gateway.models.lists import GiftList, ListItem
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.models.tasks import Task
from services.gateway.surprise import View, Viewer, item_view
from services.gateway.use_cases.audience import gift_facts, list_facts
from services.gateway.use_cases.scoped import get_referenced
from services.gateway.use_cases.task_audience import task_about
from shared.errors import InvalidInput
from shared.validation.rrules import RuleRefused, check_repeats


async def check_rrule(rule: str, due_at: dt.datetime, timezone: str, mode: str) -> str:
    """The rule without an `RRULE:` prefix, if the recurring service can repeat the task by it;
    InvalidInput saying why not. Worked out in a thread: it is CPU work, bounded by a deadline."""
    try:
        return await asyncio.to_thread(check_repeats, rule, due_at, timezone, mode)
    except RuleRefused as exc:
        raise InvalidInput("rrule", str(exc)) from None


def check_turns(task: Task) -> None:
    """A rotation hands out the next occurrences: it needs a rule that makes them, and a way to choose."""
    if task.rotation and not task.rrule:
        raise InvalidInput(
            "rotation", "needs a repeat rule (rrule): a task done once has no turns to take"
        )
    if task.rotation and task.rotation_mode is None:
        raise InvalidInput("rotation_mode", "is needed with a rotation: round_robin or least_done")
    if task.rotation_mode is not None and not task.rotation:
        raise InvalidInput("rotation_mode", "needs members in the rotation to choose from")


async def check_schedule(task: Task, timezone: str, now: dt.datetime, creating: bool) -> None:
    check_turns(task)
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


async def check_links(
    session: AsyncSession, member: Member, viewer: Viewer, task: Task, viewers: list[Viewer]
) -> None:
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
    if task.rotation:
        members = set(
            await session.scalars(
                select(Membership.user_id).where(
                    Membership.household_id == member.household_id,
                    Membership.user_id.in_(task.rotation),
                )
            )
        )
        if any(u not in members for u in task.rotation):
            raise InvalidInput("rotation", "can only name members of this household")
        kept_from = set((await task_about(session, task, viewers)).users) - {task.created_by}
        if kept_from & set(task.rotation):
            raise InvalidInput(
                "rotation",
                "names a member this task is about (a surprise for them): their turn would tell them",
            )
