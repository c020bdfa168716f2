import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.occasions import (
    OccasionCreate,
    OccasionKind,
    OccasionPublic,
    OccasionUpdate,
)
from services.gateway.routes.json_body import json_response
from services.gateway.use_cases import occasion_reads
from services.gateway.use_cases import occasions as use_cases
from shared.errors import error_responses
from shared.pages import Page, Paging
from shared.validation import OneLine

router = APIRouter(
    prefix="/households/{household_id}/occasions", tags=["occasions"], responses=error_responses()
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OccasionPublic,
    responses=error_responses(403),
)
async def create_occasion(session: SessionDep, member: CurrentMember, body: OccasionCreate):
    """Add an occasion (grown-ups only): a birthday, Christmas, an anniversary…, for some of the people."""
    return await use_cases.create_occasion(session, member, body)


@router.get("", response_model=Page[OccasionPublic])
async def list_occasions(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    kind: OccasionKind | None = None,
    person_id: Annotated[
        uuid.UUID | None, Query(description="Only occasions for this person.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of the name."), OneLine
    ] = None,
):
    """The household's occasions, by (first) date."""
    page = await occasion_reads.list_occasions(
        session, member, paging, kind=kind, person_id=person_id, q=q
    )
    return json_response(page)


@router.get("/{occasion_id}", response_model=OccasionPublic)
async def get_occasion(session: SessionDep, member: CurrentMember, occasion_id: uuid.UUID):
    """One occasion, with when it comes next."""
    return json_response(await occasion_reads.get_occasion(session, member, occasion_id))


@router.patch("/{occasion_id}", response_model=OccasionPublic, responses=error_responses(403))
async def update_occasion(
    session: SessionDep, member: CurrentMember, occasion_id: uuid.UUID, body: OccasionUpdate
):
    """Change an occasion; `person_ids` replaces who it is for (grown-ups only)."""
    return await use_cases.update_occasion(session, member, occasion_id, body)


@router.delete(
    "/{occasion_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403)
)
async def delete_occasion(session: SessionDep, member: CurrentMember, occasion_id: uuid.UUID):
    """Remove an occasion; its lists stay, without an occasion (grown-ups only)."""
    await use_cases.delete_occasion(session, member, occasion_id)
