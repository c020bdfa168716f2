"""The dashboard, in one read: every number on it is computed from the caller's side of the surprise."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.budgets import Budget
from services.gateway.models.claims import Claim
from services.gateway.models.dashboard import (
    BudgetAmount,
    Dashboard,
    PersonCoverage,
    TaskSummary,
    UpcomingOccasion,
)
from services.gateway.models.households import Member
from services.gateway.models.lists import ItemStatus, ListItem
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.surprise import person_facts_visible
from services.gateway.use_cases.audience import load_viewer
from services.gateway.use_cases.claims import present_my_claims
from services.gateway.use_cases.occasions import (
    household_today,
    next_occurrence,
    people_of,
    to_public,
)
from services.gateway.use_cases.spend import coverage, total
from services.gateway.use_cases.task_reads import my_open_tasks

MY_CLAIMS_SHOWN = 100


async def dashboard(session: AsyncSession, member: Member, days: int) -> Dashboard:
    async with session.begin():
        viewer = await load_viewer(session, member)
        today = await household_today(session, member.household_id)
        horizon = today + dt.timedelta(days=days)
        upcoming = []
        for occasion in await session.scalars(
            select(Occasion).where(Occasion.household_id == member.household_id)
        ):
            when = next_occurrence(occasion.date, occasion.recurs_yearly, today)
            if when is not None and when <= horizon:
                upcoming.append((when, occasion))
        upcoming.sort(key=lambda pair: (pair[0], pair[1].name))
        occasion_ids = [o.id for _, o in upcoming]
        people_by_occasion = await people_of(session, occasion_ids)
        person_ids = {
            p for ids in people_by_occasion.values() for p in ids if person_facts_visible(viewer, p)
        }
        names = dict(
            (
                await session.execute(
                    select(Person.id, Person.name).where(Person.id.in_(person_ids))
                )
            ).all()
        )
        budgets = {
            (b.person_id, b.occasion_id): b
            for b in await session.scalars(
                select(Budget).where(
                    Budget.occasion_id.in_(occasion_ids), Budget.person_id.in_(person_ids)
                )
            )
        }
        covers = await coverage(session, viewer, member.household_id, person_ids, occasion_ids)

        occasions = []
        for when, occasion in upcoming:
            people = []
            for person_id in people_by_occasion[occasion.id]:
                if person_id not in person_ids:
                    continue
                cover, budget = (
                    covers[(person_id, occasion.id)],
                    budgets.get((person_id, occasion.id)),
                )
                # who is covered is for everyone; what it costs against the budget is for the grown-ups
                grown_up = not viewer.is_child
                people.append(
                    PersonCoverage(
                        person_id=person_id,
                        name=names[person_id],
                        has_gift=cover.gift_count > 0,
                        gift_count=cover.gift_count,
                        spend=cover.spend() if grown_up else [],
                        budget=BudgetAmount(amount=budget.amount, currency=budget.currency)
                        if budget and grown_up
                        else None,
                    )
                )
            people.sort(key=lambda p: p.name)
            occasions.append(
                UpcomingOccasion(
                    occasion=to_public(occasion, people_by_occasion[occasion.id], today),
                    date=when,
                    days_until=(when - today).days,
                    people=people,
                    people_without_gift=[p.person_id for p in people if not p.has_gift],
                    spend=total(p.spend for p in people),
                )
            )

        claims = list(
            await session.scalars(
                select(Claim)
                .join(ListItem, ListItem.id == Claim.list_item_id)
                .where(
                    Claim.household_id == member.household_id,
                    Claim.user_id == member.user_id,
                    ListItem.status != ItemStatus.GIVEN,
                )
                .order_by(Claim.created_at, Claim.id)
                .limit(MY_CLAIMS_SHOWN)
            )
        )
        my_claims = [c for c in await present_my_claims(session, viewer, claims) if c is not None]
        # a task is never kept from its assignee, so the caller's own need no surprise check
        tasks = [
            TaskSummary(id=t.id, title=t.title, due_at=t.due_at)
            for t in await my_open_tasks(session, member)
        ]
        return Dashboard(today=today, occasions=occasions, my_claims=my_claims, my_open_tasks=tasks)
