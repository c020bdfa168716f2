"""Commands of the recurring processor, reached only through Dapr service invocation: the gateway's
sidecar presents the app token, which browsers never have (and these routes are not in /docs)."""

import uuid

from fastapi import APIRouter, Response, status

from services.gateway.deps import SessionDep
from services.gateway.models.tasks import NextOccurrence, RollOver, TaskPublic
from services.gateway.use_cases import next_occurrence, occasion_rollover, task_reads
from shared.dapr import SidecarOnly

router = APIRouter(
    prefix="/internal", tags=["internal"], dependencies=[SidecarOnly], include_in_schema=False
)


@router.post("/tasks/{task_id}/next-occurrence", response_model=TaskPublic)
async def create_next_occurrence(
    session: SessionDep, task_id: uuid.UUID, body: NextOccurrence, response: Response
):
    """The next task of the series `task_id` belongs to: 201 when made now, 200 when it already was.
    With `assignee_id` (the rotation's pick, or null) it goes to them; without, to this one's."""
    pick = body.assignee_id if "assignee_id" in body.model_fields_set else next_occurrence.KEEP
    task, created = await next_occurrence.create_next_occurrence(
        session, task_id, body.occurrence_due_at, pick
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return task_reads.to_public(task)


@router.post("/occasions/{occasion_id}/roll-over")
async def roll_over_occasion(
    session: SessionDep, occasion_id: uuid.UUID, body: RollOver, response: Response
) -> dict:
    """Record the next date of a yearly occasion: 201 the first time, 200 on a retry."""
    created = await occasion_rollover.roll_over_occasion(session, occasion_id, body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return {"occasion_id": str(occasion_id), "next_date": body.next_date.isoformat()}
