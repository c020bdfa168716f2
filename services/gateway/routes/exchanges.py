import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.exchanges import ExchangeCreate, ExchangePublic, ExchangeUpdate
from services.gateway.use_cases import exchange_reads
from services.gateway.use_cases import exchanges as use_cases
from shared.errors import error_responses

router = APIRouter(
    prefix="/households/{household_id}/exchanges",
    tags=["exchanges"],
    responses=error_responses(),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ExchangePublic,
    responses=error_responses(403),
)
async def create_exchange(session: SessionDep, member: CurrentMember, body: ExchangeCreate):
    """Start a gift exchange (Secret Santa) for an occasion among some of the household's people
    (grown-ups only); you organize it, and are the proxy of those taking part who are not members."""
    return await use_cases.create_exchange(session, member, body)


@router.get("", response_model=list[ExchangePublic])
async def list_exchanges(
    session: SessionDep,
    member: CurrentMember,
    occasion_id: Annotated[
        uuid.UUID | None, Query(description="Only the exchanges for this occasion.")
    ] = None,
):
    """The household's gift exchanges, past ones too, with only the picks you may see."""
    return await exchange_reads.list_exchanges(session, member, occasion_id)


@router.get("/{exchange_id}", response_model=ExchangePublic)
async def get_exchange(session: SessionDep, member: CurrentMember, exchange_id: uuid.UUID):
    """One gift exchange: your own pick once names are drawn; for the organizer, who has started."""
    return await exchange_reads.get_exchange(session, member, exchange_id)


@router.patch("/{exchange_id}", response_model=ExchangePublic, responses=error_responses(403, 409))
async def update_exchange(
    session: SessionDep, member: CurrentMember, exchange_id: uuid.UUID, body: ExchangeUpdate
):
    """Change an exchange before its day (organizer only); new people or exclusions after a draw
    void it, to be drawn again."""
    return await use_cases.update_exchange(session, member, exchange_id, body)


@router.post(
    "/{exchange_id}/draw", response_model=ExchangePublic, responses=error_responses(403, 409)
)
async def draw_names(session: SessionDep, member: CurrentMember, exchange_id: uuid.UUID):
    """Draw names, or draw again before the exchange's day (organizer only): each giver is told
    their own pick; a draw the exclusions make impossible is refused with the reason."""
    return await use_cases.draw_names(session, member, exchange_id)


@router.delete(
    "/{exchange_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403)
)
async def delete_exchange(session: SessionDep, member: CurrentMember, exchange_id: uuid.UUID):
    """Remove a gift exchange and its draw (organizer only)."""
    await use_cases.delete_exchange(session, member, exchange_id)
