import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.gateway.deps import CurrentMember, SessionDep
from services.gateway.models.history import (
    GiftRecordPublic,
    PersonHistory,
    ReceivedGiftCreate,
    RecordSource,
    ThanksUpdate,
    ThankYouTaskCreate,
)
from services.gateway.models.tasks import TaskPublic
from services.gateway.routes.json_body import json_response
from services.gateway.use_cases import history, history_reads
from shared.errors import error_responses
from shared.pages import Page, Paging
from shared.validation import OneLine

router = APIRouter(
    prefix="/households/{household_id}", tags=["history"], responses=error_responses()
)


@router.get("/history", response_model=Page[GiftRecordPublic])
async def list_history(
    session: SessionDep,
    member: CurrentMember,
    paging: Paging,
    person_id: Annotated[uuid.UUID | None, Query(description="Gifts this person received.")] = None,
    giver_person_id: Annotated[
        uuid.UUID | None, Query(description="Gifts this person gave.")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2199)] = None,
    occasion_id: uuid.UUID | None = None,
    thanked: Annotated[
        bool | None,
        Query(
            description="false: the gifts still owed a thank-you (their recipient may see them, "
            "and nobody marked them thanked)."
        ),
    ] = None,
    source: Annotated[
        RecordSource | None,
        Query(description="given: what the household gave; received: what was recorded."),
    ] = None,
):
    """The gifts people of the household received, newest first: only what the caller may see (a
    gift the household gave its recipient appears once the household's reveal setting says so)."""
    page = await history_reads.list_records(
        session,
        member,
        paging,
        person_id=person_id,
        giver_person_id=giver_person_id,
        year=year,
        occasion_id=occasion_id,
        thanked=thanked,
        source=source,
    )
    return json_response(page)


@router.post(
    "/history",
    status_code=status.HTTP_201_CREATED,
    response_model=GiftRecordPublic,
    responses=error_responses(403),
)
async def record_received_gift(
    session: SessionDep, member: CurrentMember, body: ReceivedGiftCreate
):
    """Record a gift someone received, from a person of the household or from anyone else (a child
    records only their own)."""
    return await history.record_received(session, member, body)


@router.get("/history/similar", response_model=list[GiftRecordPublic])
async def similar_gifts(
    session: SessionDep,
    member: CurrentMember,
    title: Annotated[
        str, Query(min_length=1, max_length=200, description="The gift's title."), OneLine
    ],
    person_id: Annotated[
        uuid.UUID | None, Query(description="Gifts this person received; else anyone's.")
    ] = None,
):
    """Up to 10 gifts already in the history whose title resembles `title` (whatever the case,
    accents or word order): the gift form's "you gave this before"."""
    return json_response(
        await history_reads.similar_records(session, member, title, person_id=person_id)
    )


@router.get("/history/{record_id}", response_model=GiftRecordPublic)
async def get_history_record(session: SessionDep, member: CurrentMember, record_id: uuid.UUID):
    """One gift of the history (404 when it is not the caller's to see yet)."""
    return json_response(await history_reads.get_record(session, member, record_id))


@router.delete(
    "/history/{record_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 409),
)
async def delete_history_record(session: SessionDep, member: CurrentMember, record_id: uuid.UUID):
    """Remove a gift recorded as received (whoever recorded it, or an admin); a gift the household
    gave stays."""
    await history.delete_record(session, member, record_id)


@router.put(
    "/history/{record_id}/thanks",
    response_model=GiftRecordPublic,
    responses=error_responses(403, 409),
)
async def set_thanks(
    session: SessionDep, member: CurrentMember, record_id: uuid.UUID, body: ThanksUpdate
):
    """Mark the thank-you as said (completing its open thank-you task), or not; for its recipient
    and the grown-ups, once the recipient may see the gift."""
    return await history.set_thanked(session, member, record_id, body.thanked)


@router.post(
    "/history/{record_id}/thank-you-task",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskPublic,
    responses=error_responses(403, 409),
)
async def create_thank_you_task(
    session: SessionDep, member: CurrentMember, record_id: uuid.UUID, body: ThankYouTaskCreate
):
    """A task to say thank you ("Thank Aunt Ruth for the scarf"), due at 18:00 some days after the
    gift, with a reminder the day before; one open at a time."""
    return await history.create_thank_you_task(session, member, record_id, body)


@router.get("/people/{person_id}/history", response_model=PersonHistory)
async def person_history(session: SessionDep, member: CurrentMember, person_id: uuid.UUID):
    """What a person received and gave, by year (newest first) and occasion: "what did we give
    Grandma last year" in one look."""
    return json_response(await history_reads.person_history(session, member, person_id))
