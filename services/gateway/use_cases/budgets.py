"""Budget use cases: how much to spend on a person for an occasion, against what is committed."""

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.budgets import Budget, BudgetPublic, BudgetSet
from services.gateway.models.households import Member
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.surprise import Hidden, Viewer, person_facts_visible
from services.gateway.use_cases.audience import household_viewers, load_viewer
from services.gateway.use_cases.scoped import get_own, require_grown_up
from services.gateway.use_cases.spend import Coverage, coverage
from shared.errors import Forbidden, NotFound
from shared.events.gifting import BudgetRemoved
from shared.events.gifting import BudgetSet as BudgetSetEvent
from shared.outbox import add_event
from shared.pages import Page, PageRequest, fetch_page


def _hidden(viewers: list[Viewer], person_id: uuid.UUID) -> Hidden:
    """A budget is kept from the person it is for, and whoever is linked to them later."""
    return Hidden(
        tuple(
            sorted((v.user_id for v in viewers if not person_facts_visible(v, person_id)), key=str)
        ),
        (person_id,),
    )


def present_budget(budget: Budget, cover: Coverage) -> BudgetPublic:
    spend = cover.spend()
    committed = sum(
        (s.claimed + s.purchased for s in spend if s.currency == budget.currency), Decimal(0)
    )
    return BudgetPublic.model_validate(
        budget, update={"spend": spend, "remaining": budget.amount - committed}
    )


async def set_budget(
    session: AsyncSession,
    member: Member,
    occasion_id: uuid.UUID,
    person_id: uuid.UUID,
    data: BudgetSet,
) -> BudgetPublic:
    require_grown_up(member, "set budgets")
    async with session.begin():
        viewer = await load_viewer(session, member)
        await get_own(session, Occasion, member, occasion_id, "occasion")
        await get_own(session, Person, member, person_id, "person")
        if not person_facts_visible(viewer, person_id):
            raise Forbidden("Budgets for you are kept from you; someone else sets them.")
        now = utcnow()
        budget = await session.scalar(
            insert(Budget)
            .values(
                id=uuid.uuid4(),
                household_id=member.household_id,
                person_id=person_id,
                occasion_id=occasion_id,
                amount=data.amount,
                currency=data.currency,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=["person_id", "occasion_id"],
                set_={"amount": data.amount, "currency": data.currency, "updated_at": now},
            )
            .returning(Budget)
        )
        await add_event(
            session,
            outbox,
            BudgetSetEvent(
                household_id=member.household_id,
                actor_id=member.user_id,
                **_hidden(await household_viewers(session, member.household_id), person_id).fields,
                person_id=person_id,
                occasion_id=occasion_id,
                amount=budget.amount,
                currency=budget.currency,
            ),
        )
        covers = await coverage(session, viewer, member.household_id, [person_id], [occasion_id])
        return present_budget(budget, covers[(person_id, occasion_id)])


async def remove_budget(
    session: AsyncSession, member: Member, occasion_id: uuid.UUID, person_id: uuid.UUID
) -> None:
    require_grown_up(member, "remove budgets")
    async with session.begin():
        viewer = await load_viewer(session, member)
        budget = await session.scalar(
            select(Budget)
            .where(
                Budget.household_id == member.household_id,
                Budget.occasion_id == occasion_id,
                Budget.person_id == person_id,
            )
            .with_for_update()
        )
        if budget is None or not person_facts_visible(viewer, person_id):
            raise NotFound("No budget for that person at that occasion.")
        await session.delete(budget)
        await add_event(
            session,
            outbox,
            BudgetRemoved(
                household_id=member.household_id,
                actor_id=member.user_id,
                **_hidden(await household_viewers(session, member.household_id), person_id).fields,
                person_id=person_id,
                occasion_id=occasion_id,
            ),
        )


async def list_budgets(
    session: AsyncSession,
    member: Member,
    page: PageRequest,
    *,
    occasion_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
) -> Page[BudgetPublic]:
    """Budgets with their spend, except those about the caller."""
    query = select(Budget).where(Budget.household_id == member.household_id)
    if occasion_id:
        query = query.where(Budget.occasion_id == occasion_id)
    if person_id:
        query = query.where(Budget.person_id == person_id)
    async with session.begin():
        viewer = await load_viewer(session, member)
        if viewer.person_ids:
            query = query.where(Budget.person_id.not_in(viewer.person_ids))

        async def shape(rows: list[Budget]) -> list[BudgetPublic]:
            covers = await coverage(
                session,
                viewer,
                member.household_id,
                {b.person_id for b in rows},
                {b.occasion_id for b in rows},
            )
            return [present_budget(b, covers[(b.person_id, b.occasion_id)]) for b in rows]

        return await fetch_page(session, query, (Budget.created_at, Budget.id), page, shape)
