import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.people import PersonCreate, PersonPublic, PersonUpdate
from services.gateway.use_cases import people as use_cases
from shared.errors import error_responses
from shared.pages import Page, Paging
from shared.validation import OneLine

router = APIRouter(
    prefix="/households/{household_id}/people", tags=["people"], responses=error_responses()
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonPublic,
    responses=error_responses(403, 409),
)
async def create_person(session: SessionDep, member: CurrentMember, body: PersonCreate):
    """Add someone the household gives to (grown-ups only); link them to a member if they are one."""
    return await use_cases.create_person(session, member, body)


@router.get("", response_model=Page[PersonPublic])
async def list_people(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of the name."), OneLine
    ] = None,
):
    """The household's people, by name."""
    return await use_cases.list_people(session, member, paging, q)


@router.get("/{person_id}", response_model=PersonPublic)
async def get_person(session: SessionDep, member: CurrentMember, person_id: uuid.UUID):
    """One person."""
    return await use_cases.get_person(session, member, person_id)


@router.patch("/{person_id}", response_model=PersonPublic, responses=error_responses(403, 409))
async def update_person(
    session: SessionDep, member: CurrentMember, person_id: uuid.UUID, body: PersonUpdate
):
    """Change a person's name, link, interests, sizes or notes (grown-ups only)."""
    return await use_cases.update_person(session, member, person_id, body)


@router.delete(
    "/{person_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403)
)
async def delete_person(session: SessionDep, member: CurrentMember, person_id: uuid.UUID):
    """Remove a person with their lists and budgets (grown-ups only)."""
    await use_cases.delete_person(session, member, person_id)
