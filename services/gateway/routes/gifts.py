import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.claims import PledgePublic, PledgeSet
from services.gateway.models.comments import CommentCreate, CommentPublic, TargetKind
from services.gateway.models.gifts import (
    GiftCreate,
    GiftPersonLink,
    GiftPublic,
    GiftRole,
    GiftUpdate,
)
from services.gateway.models.lists import ItemStatus
from services.gateway.routes.json_body import json_response
from services.gateway.use_cases import claims, comments, gift_reads
from services.gateway.use_cases import gifts as use_cases
from shared.errors import error_responses
from shared.pages import Page, Paging
from shared.validation import OneLine

router = APIRouter(
    prefix="/households/{household_id}/gifts", tags=["gifts"], responses=error_responses()
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GiftPublic)
async def create_gift(session: SessionDep, member: CurrentMember, body: GiftCreate):
    """Add a gift (to put on lists afterwards, or create it straight on a list with the list's items)."""
    return await use_cases.create_gift(session, member, body)


@router.get("", response_model=Page[GiftPublic])
async def list_gifts(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=100, description="Words in the title or notes."), OneLine
    ] = None,
    tag: Annotated[str | None, Query(max_length=40), OneLine] = None,
    person_id: Annotated[uuid.UUID | None, Query(description="Gifts for this person.")] = None,
    status: Annotated[
        ItemStatus | None, Query(description="Gifts with a list item in this status.")
    ] = None,
    occasion_id: Annotated[
        uuid.UUID | None, Query(description="Gifts on lists for this occasion.")
    ] = None,
):
    """Find gifts, newest first, by text, tag, person, status or occasion."""
    page = await gift_reads.list_gifts(
        session,
        member,
        paging,
        q=q,
        tag=tag,
        person_id=person_id,
        status=status,
        occasion_id=occasion_id,
    )
    return json_response(page)


@router.get("/{gift_id}", response_model=GiftPublic)
async def get_gift(session: SessionDep, member: CurrentMember, gift_id: uuid.UUID):
    """One gift."""
    return json_response(await gift_reads.get_gift(session, member, gift_id))


@router.patch("/{gift_id}", response_model=GiftPublic, responses=error_responses(403))
async def update_gift(
    session: SessionDep, member: CurrentMember, gift_id: uuid.UUID, body: GiftUpdate
):
    """Change a gift; `tags` replaces its tags."""
    return await use_cases.update_gift(session, member, gift_id, body)


@router.delete("/{gift_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403))
async def delete_gift(session: SessionDep, member: CurrentMember, gift_id: uuid.UUID):
    """Delete a gift, off every list, with its claims, pledges and comments."""
    await use_cases.delete_gift(session, member, gift_id)


@router.post(
    "/{gift_id}/people",
    status_code=status.HTTP_201_CREATED,
    response_model=GiftPublic,
    responses=error_responses(403, 409),
)
async def link_person(
    session: SessionDep, member: CurrentMember, gift_id: uuid.UUID, body: GiftPersonLink
):
    """Link a person to the gift as its recipient, purchaser or contributor."""
    return await use_cases.link_person(session, member, gift_id, body)


@router.delete("/{gift_id}/people/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unlink_person(
    session: SessionDep,
    member: CurrentMember,
    gift_id: uuid.UUID,
    person_id: uuid.UUID,
    role: Annotated[GiftRole, Query()],
):
    """Unlink a person from the gift in one role."""
    await use_cases.unlink_person(session, member, gift_id, person_id, role)


@router.put(
    "/{gift_id}/pledges/mine",
    response_model=PledgePublic,
    status_code=status.HTTP_200_OK,
    responses={
        201: {"model": PledgePublic, "description": "A new pledge."},
        **error_responses(403),
    },
)
async def pledge(
    session: SessionDep,
    member: CurrentMember,
    gift_id: uuid.UUID,
    body: PledgeSet,
    response: Response,
):
    """Chip in toward the gift (or change how much): 201 for a new pledge, 200 for a change."""
    public, created = await claims.pledge(session, member, gift_id, body)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return public


@router.delete("/{gift_id}/pledges/mine", status_code=status.HTTP_204_NO_CONTENT)
async def unpledge(session: SessionDep, member: CurrentMember, gift_id: uuid.UUID):
    """Withdraw your pledge."""
    await claims.unpledge(session, member, gift_id)


@router.get("/{gift_id}/pledges", response_model=list[PledgePublic])
async def list_pledges(session: SessionDep, member: CurrentMember, gift_id: uuid.UUID):
    """Who chips in how much (nothing, for the gift's recipient)."""
    return await claims.list_pledges(session, member, gift_id)


@router.post(
    "/{gift_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentPublic
)
async def add_comment(
    session: SessionDep, member: CurrentMember, gift_id: uuid.UUID, body: CommentCreate
):
    """Comment on a gift; by default kept from its recipients, unless you are one."""
    return await comments.add_comment(session, member, TargetKind.GIFT, gift_id, body)


@router.get("/{gift_id}/comments", response_model=Page[CommentPublic])
async def list_comments(
    session: SessionDep, member: CurrentMember, gift_id: uuid.UUID, paging: Paging
):
    """The comments on a gift the caller may read, oldest first."""
    return await comments.list_comments(session, member, TargetKind.GIFT, gift_id, paging)
