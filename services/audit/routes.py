"""The audit log's query API, for household admins (the gateway serves it under its origin)."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from services.audit.auth import CurrentAdmin
from services.audit.entries import EntryFilter, find_entries
from shared.errors import ErrorResponse, error_responses
from shared.pages import Page, Paging
from shared.validation import Line, Moment

router = APIRouter(prefix="/api/households/{household_id}/audit", tags=["audit"])


class AuditEntry(BaseModel):
    id: int
    type: str = Field(description="The event's CloudEvent type, e.g. giftflow.claim.added.v1.")
    subject: str | None = Field(description="The id of the entity the event is about.")
    actor_id: uuid.UUID | None
    occurred_at: datetime | None
    recorded_at: datetime
    event_id: uuid.UUID
    data: dict[str, Any]


@router.get(
    "",
    response_model=Page[AuditEntry],
    responses={
        **error_responses(401, 422),
        403: {"model": ErrorResponse, "description": "The caller is a member but not an admin."},
        404: {
            "model": ErrorResponse,
            "description": "No such household, or the caller is not a member of it.",
        },
    },
)
async def list_entries(
    request: Request,
    admin: CurrentAdmin,
    paging: Paging,
    subject: Annotated[
        Line | None, Query(max_length=100, description="Only events about this entity id.")
    ] = None,
    actor_id: Annotated[uuid.UUID | None, Query(description="Only what this member did.")] = None,
    type: Annotated[
        list[str] | None,
        Query(
            max_length=100,
            description=(
                "Only these events: a type (giftflow.claim.added.v1), a name (claim.added) or an entity (claim); repeatable."
            ),
        ),
    ] = None,
    since: Annotated[
        Moment | None, Query(description="Recorded at or after this time, with a UTC offset.")
    ] = None,
    until: Annotated[
        Moment | None, Query(description="Recorded before this time, with a UTC offset.")
    ] = None,
):
    """The household's audit log, newest first (admins only; never what is hidden from the caller)."""
    wanted = EntryFilter(
        subject=subject, actor_id=actor_id, types=tuple(type or ()), since=since, until=until
    )
    async with request.app.state.sessions() as session:
        found = await find_entries(session, admin, wanted, paging)
    return Page(
        items=[
            AuditEntry(
                id=r.id,
                type=r.event_type,
                subject=r.subject,
                actor_id=r.actor_id,
                occurred_at=r.occurred_at,
                recorded_at=r.recorded_at,
                event_id=r.event_id,
                data=r.data,
            )
            for r in found.items
        ],
        next_cursor=found.next_cursor,
    )
