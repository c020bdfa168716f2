from typing import Annotated

from fastapi import APIRouter, Query

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.claims import MyClaim
from services.gateway.models.dashboard import Dashboard
from services.gateway.routes.json_body import json_response
from services.gateway.use_cases import claims, dashboard
from shared.errors import error_responses
from shared.pages import Page, Paging

router = APIRouter(
    prefix="/households/{household_id}", tags=["dashboard"], responses=error_responses()
)


@router.get("/dashboard", response_model=Dashboard)
async def get_dashboard(
    session: SessionDep,
    member: CurrentMember,
    days: Annotated[int, Query(ge=1, le=366, description="How far ahead to look.")] = 60,
):
    """The upcoming occasions with who has a gift and who not yet, spend against budget, my claims and tasks."""
    return json_response(await dashboard.dashboard(session, member, days))


@router.get("/claims", response_model=Page[MyClaim])
async def my_claims(session: SessionDep, member: CurrentMember, paging: Paging):
    """Your claims in this household, with what you need to go and buy them."""
    return await claims.my_claims(session, member, paging)
