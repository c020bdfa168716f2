"""The reminder service's one command: snooze a reminder. Reached only through Dapr service invocation
from the gateway, which has already checked that the caller is a member of the household."""

import uuid
from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.reminder import snoozes
from shared.dapr import SidecarOnly

router = APIRouter(
    prefix="/internal", tags=["internal"], dependencies=[SidecarOnly], include_in_schema=False
)


class Snooze(BaseModel):
    household_id: uuid.UUID
    user_id: uuid.UUID
    until: datetime = Field(description="When to remind again (timezone-aware).")


class Snoozed(BaseModel):
    reminder_id: uuid.UUID
    snoozed_from: uuid.UUID
    remind_at: datetime


@router.post("/reminders/{reminder_id}/snooze", response_model=Snoozed)
async def snooze_reminder(reminder_id: uuid.UUID, body: Snooze, request: Request) -> Snoozed:
    """Remind this member again at `until`: a new reminder for them alone; the original, the task's due
    time and its series stay as they are. Snoozing again replaces their earlier snooze of it."""
    async with request.app.state.sessions() as session:
        snoozed = await snoozes.snooze_reminder(
            session, body.household_id, body.user_id, reminder_id, body.until
        )
    return Snoozed(
        reminder_id=snoozed.reminder_id, snoozed_from=snoozed.snoozed_from, remind_at=body.until
    )
