"""Whom a task is kept from: the members it is about (a person, an occasion for them, a gift on a list
for them), never its maker nor its assignee, and the people it is about, whoever is linked to them later."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.lists import GiftList, ListItem
from services.gateway.models.tasks import Task
from services.gateway.surprise import Hidden, View, Viewer, hidden, item_view
from services.gateway.use_cases.audience import gift_facts, list_facts
from services.gateway.use_cases.occasions import people_of


async def task_hidden(session: AsyncSession, task: Task, viewers: list[Viewer]) -> Hidden:
    """The members the task is about, who must not learn of it (never its maker nor its assignee), and
    the people it is about, whose members must not either, whoever is linked to them later."""
    about = await task_about(session, task, viewers)
    return Hidden(
        tuple(u for u in about.users if u not in (task.created_by, task.assignee_id)),
        about.persons,
    )


async def task_about(session: AsyncSession, task: Task, viewers: list[Viewer]) -> Hidden:
    """Everyone the task is about, its maker and assignee too: whom it would be kept from, had they not
    made it or been given it (a rotation must not hand it to one of them)."""
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
    return Hidden(tuple(sorted(users, key=str)), tuple(sorted(persons, key=str)))
