import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.calendar_feeds import (
    CalendarFeedCreate,
    CalendarFeedPublic,
    CalendarFeedWithUrl,
)
from services.gateway.use_cases import calendar_feeds as use_cases
from shared.errors import ErrorResponse, error_responses

router = APIRouter(tags=["calendar"])

MINE = "/households/{household_id}/calendar-feeds"
# polled every few minutes by calendar apps: always revalidate, and the 304 costs one small query
CACHE_CONTROL = "private, no-cache"


@router.post(
    MINE,
    status_code=status.HTTP_201_CREATED,
    response_model=CalendarFeedWithUrl,
    responses=error_responses(409),
)
async def create_calendar_feed(
    session: SessionDep, member: CurrentMember, body: CalendarFeedCreate
):
    """A private address for a calendar app: the household's occasions and your own tasks, as you may
    see them. The address is shown only in this answer; anyone who has it can read the feed."""
    return await use_cases.create_feed(session, member, body)


@router.get(MINE, response_model=list[CalendarFeedPublic])
async def list_calendar_feeds(session: SessionDep, member: CurrentMember):
    """Your calendar subscriptions that still answer (never another member's)."""
    return await use_cases.list_feeds(session, member)


@router.delete(f"{MINE}/{{feed_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_calendar_feed(session: SessionDep, member: CurrentMember, feed_id: uuid.UUID):
    """Revoke one of your subscriptions: its address stops answering at once."""
    await use_cases.revoke_feed(session, member, feed_id)


@router.get(
    "/calendar/{token}.ics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "description": "The feed (iCalendar, RFC 5545), with an ETag.",
        },
        304: {"description": "Unchanged since the version named in If-None-Match."},
        404: {"model": ErrorResponse, "description": "No such feed, or it was revoked."},
        **error_responses(422),
    },
)
async def read_calendar_feed(
    session: SessionDep,
    token: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,100}$")],
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
):
    """A calendar feed, read by a calendar app with the secret in its address (no sign-in)."""
    read = await use_cases.read_feed(session, token, if_none_match)
    headers = {"ETag": read.etag, "Cache-Control": CACHE_CONTROL}
    if read.body is None:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(
        read.body,
        media_type="text/calendar; charset=utf-8",
        headers={**headers, "Content-Disposition": 'inline; filename="giftflow.ics"'},
    )
