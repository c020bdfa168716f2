import uuid

from fastapi import APIRouter, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.gifts import TagPublic
from services.gateway.use_cases import tags as use_cases
from shared.errors import error_responses
from shared.pages import Page, Paging

router = APIRouter(
    prefix="/households/{household_id}/tags", tags=["gifts"], responses=error_responses()
)


@router.get("", response_model=Page[TagPublic])
async def list_tags(session: SessionDep, member: CurrentMember, paging: Paging):
    """The tags on the gifts you may see, by name. Tags are made by naming them on a gift."""
    return await use_cases.list_tags(session, member, paging)


@router.delete("/{tag_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403))
async def delete_tag(session: SessionDep, member: CurrentMember, tag_id: uuid.UUID):
    """Remove a tag from every gift (grown-ups only)."""
    await use_cases.delete_tag(session, member, tag_id)
