import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.comments import CommentCreate, CommentPublic, TargetKind
from services.gateway.models.lists import (
    GiftListCreate,
    GiftListPublic,
    GiftListUpdate,
    ItemStatus,
    ListItemCreate,
    ListItemPublic,
    ListKind,
)
from services.gateway.routes.json_body import json_response
from services.gateway.use_cases import comments, item_reads, items
from services.gateway.use_cases import lists as use_cases
from shared.errors import error_responses
from shared.pages import Page, Paging
from shared.validation import OneLine

router = APIRouter(
    prefix="/households/{household_id}/lists", tags=["lists"], responses=error_responses()
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GiftListPublic)
async def create_list(session: SessionDep, member: CurrentMember, body: GiftListCreate):
    """Start a wish list or an idea list for a person, maybe for an occasion."""
    return await use_cases.create_list(session, member, body)


@router.get("", response_model=Page[GiftListPublic])
async def list_lists(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    person_id: Annotated[uuid.UUID | None, Query(description="Only lists for this person.")] = None,
    occasion_id: Annotated[
        uuid.UUID | None, Query(description="Only lists for this occasion.")
    ] = None,
    kind: ListKind | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of the name."), OneLine
    ] = None,
):
    """The lists the caller may see, oldest first."""
    return await use_cases.list_lists(
        session, member, paging, person_id=person_id, occasion_id=occasion_id, kind=kind, q=q
    )


@router.get("/{list_id}", response_model=GiftListPublic)
async def get_list(session: SessionDep, member: CurrentMember, list_id: uuid.UUID):
    """One list."""
    return await use_cases.get_list(session, member, list_id)


@router.patch("/{list_id}", response_model=GiftListPublic, responses=error_responses(403))
async def update_list(
    session: SessionDep, member: CurrentMember, list_id: uuid.UUID, body: GiftListUpdate
):
    """Rename a list, move it to another occasion, or (its maker only) change who sees it."""
    return await use_cases.update_list(session, member, list_id, body)


@router.delete("/{list_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403))
async def delete_list(session: SessionDep, member: CurrentMember, list_id: uuid.UUID):
    """Delete a list and its items; the gifts stay."""
    await use_cases.delete_list(session, member, list_id)


@router.post(
    "/{list_id}/items",
    status_code=status.HTTP_201_CREATED,
    response_model=ListItemPublic,
    responses=error_responses(403, 409),
)
async def add_item(
    session: SessionDep, member: CurrentMember, list_id: uuid.UUID, body: ListItemCreate
):
    """Put a gift on the list: one of the household's (`gift_id`) or a new one (`gift`)."""
    return await items.add_item(session, member, list_id, body)


@router.get("/{list_id}/items", response_model=Page[ListItemPublic])
async def list_items(
    session: SessionDep,
    member: CurrentMember,
    list_id: uuid.UUID,
    paging: Paging,
    status: ItemStatus | None = None,
):
    """The items on the list, the most wanted first, then oldest first; a recipient sees their wishes
    as `on_my_list`."""
    return json_response(await item_reads.list_items(session, member, list_id, paging, status))


@router.post(
    "/{list_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentPublic
)
async def add_comment(
    session: SessionDep, member: CurrentMember, list_id: uuid.UUID, body: CommentCreate
):
    """Comment on a list."""
    return await comments.add_comment(session, member, TargetKind.LIST, list_id, body)


@router.get("/{list_id}/comments", response_model=Page[CommentPublic])
async def list_comments(
    session: SessionDep, member: CurrentMember, list_id: uuid.UUID, paging: Paging
):
    """The comments on a list the caller may read, oldest first."""
    return await comments.list_comments(session, member, TargetKind.LIST, list_id, paging)
