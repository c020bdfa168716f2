"""What a member's mail digest says is coming up, asked by the notification service through Dapr
service invocation (the sidecar presents the app token browsers never have; not in /docs).

The answer is the member's dashboard, read with the member's own side of the surprise rules: the
gateway stays the one place that decides what a member may see, and a digest can only say what the
member's own dashboard would.
"""

import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.gateway.deps import SessionDep, load_member
from services.gateway.models.dashboard import Dashboard
from services.gateway.routes.json_body import json_response
from services.gateway.use_cases import dashboard
from shared.dapr import SidecarOnly
from shared.errors import NotFound

router = APIRouter(
    prefix="/internal", tags=["internal"], dependencies=[SidecarOnly], include_in_schema=False
)


class WeekAhead(BaseModel):
    days: int = Field(default=14, ge=1, le=366, description="How far ahead to look.")


@router.post("/households/{household_id}/members/{user_id}/week-ahead", response_model=Dashboard)
async def week_ahead(
    session: SessionDep,
    request: Request,
    household_id: uuid.UUID,
    user_id: uuid.UUID,
    body: WeekAhead,
):
    """The member's dashboard for the next `days` days, as that member may see it."""
    member = await load_member(request.app.state.engine, household_id, user_id)
    if member is None:
        raise NotFound("No such member of this household.")
    return json_response(await dashboard.dashboard(session, member, body.days))
