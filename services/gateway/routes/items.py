import uuid

from fastapi import APIRouter, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.claims import ClaimCreate, ClaimPublic
from services.gateway.models.lists import ListItemPublic, ListItemUpdate, StatusChange
from services.gateway.use_cases import claims
from services.gateway.use_cases import items as use_cases
from shared.errors import ErrorResponse, error_responses

router = APIRouter(
    prefix="/households/{household_id}/items", tags=["list items"], responses=error_responses()
)


@router.get("/{item_id}", response_model=ListItemPublic)
async def get_item(session: SessionDep, member: CurrentMember, item_id: uuid.UUID):
    """One list item."""
    return await use_cases.get_item(session, member, item_id)


@router.patch("/{item_id}", response_model=ListItemPublic, responses=error_responses(403, 409))
async def update_item(
    session: SessionDep, member: CurrentMember, item_id: uuid.UUID, body: ListItemUpdate
):
    """Change how many are wanted, how much (on a member's wish list, only they), or the notes."""
    return await use_cases.update_item(session, member, item_id, body)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_item(session: SessionDep, member: CurrentMember, item_id: uuid.UUID):
    """Take the gift off its list, with its claims."""
    await use_cases.remove_item(session, member, item_id)


@router.post(
    "/{item_id}/status",
    response_model=ListItemPublic,
    responses={
        **error_responses(403),
        409: {
            "model": ErrorResponse,
            "description": "The pipeline does not allow that move; `details.allowed` lists those it does.",
        },
    },
)
async def change_status(
    session: SessionDep, member: CurrentMember, item_id: uuid.UUID, body: StatusChange
):
    """Move the item along idea → selected → purchased → wrapped → given (or one step back)."""
    return await use_cases.change_status(session, member, item_id, body.status)


@router.post(
    "/{item_id}/claims",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimPublic,
    responses={
        **error_responses(403),
        409: {"model": ErrorResponse, "description": "Not that many units are left unclaimed."},
    },
)
async def claim(session: SessionDep, member: CurrentMember, item_id: uuid.UUID, body: ClaimCreate):
    """Claim units of the item: you will get them. Claims never add up to more than is wanted."""
    return await claims.claim(session, member, item_id, body.quantity, body.exchange_id)


@router.get("/{item_id}/claims", response_model=list[ClaimPublic])
async def list_claims(session: SessionDep, member: CurrentMember, item_id: uuid.UUID):
    """Who claimed how many units (nothing, for the gift's recipient)."""
    return await claims.list_claims(session, member, item_id)


@router.delete("/{item_id}/claims/mine", status_code=status.HTTP_204_NO_CONTENT)
async def unclaim(session: SessionDep, member: CurrentMember, item_id: uuid.UUID):
    """Release your claim on the item."""
    await claims.unclaim(session, member, item_id)
