import uuid

from fastapi import APIRouter, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.comments import CommentPublic, CommentUpdate
from services.gateway.use_cases import comments as use_cases
from shared.errors import error_responses

router = APIRouter(
    prefix="/households/{household_id}/comments", tags=["comments"], responses=error_responses()
)


@router.get("/{comment_id}", response_model=CommentPublic)
async def get_comment(session: SessionDep, member: CurrentMember, comment_id: uuid.UUID):
    """One comment."""
    return await use_cases.get_comment(session, member, comment_id)


@router.patch("/{comment_id}", response_model=CommentPublic, responses=error_responses(403))
async def edit_comment(
    session: SessionDep, member: CurrentMember, comment_id: uuid.UUID, body: CommentUpdate
):
    """Edit your comment."""
    return await use_cases.edit_comment(session, member, comment_id, body)


@router.delete(
    "/{comment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403)
)
async def delete_comment(session: SessionDep, member: CurrentMember, comment_id: uuid.UUID):
    """Delete your comment (admins: any comment)."""
    await use_cases.delete_comment(session, member, comment_id)
