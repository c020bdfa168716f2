import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.budgets import BudgetPublic, BudgetSet
from services.gateway.use_cases import budgets as use_cases
from shared.errors import error_responses
from shared.pages import Page, Paging

router = APIRouter(
    prefix="/households/{household_id}", tags=["budgets"], responses=error_responses()
)


@router.put(
    "/occasions/{occasion_id}/budgets/{person_id}",
    response_model=BudgetPublic,
    responses=error_responses(403),
)
async def set_budget(
    session: SessionDep,
    member: CurrentMember,
    occasion_id: uuid.UUID,
    person_id: uuid.UUID,
    body: BudgetSet,
):
    """Set how much to spend on a person for an occasion (grown-ups only)."""
    return await use_cases.set_budget(session, member, occasion_id, person_id, body)


@router.delete(
    "/occasions/{occasion_id}/budgets/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403),
)
async def remove_budget(
    session: SessionDep, member: CurrentMember, occasion_id: uuid.UUID, person_id: uuid.UUID
):
    """Remove a budget (grown-ups only)."""
    await use_cases.remove_budget(session, member, occasion_id, person_id)


@router.get("/budgets", response_model=Page[BudgetPublic])
async def list_budgets(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    occasion_id: Annotated[uuid.UUID | None, Query()] = None,
    person_id: Annotated[uuid.UUID | None, Query()] = None,
):
    """Budgets with what is claimed and purchased against them (never those about the caller)."""
    return await use_cases.list_budgets(
        session, member, paging, occasion_id=occasion_id, person_id=person_id
    )
