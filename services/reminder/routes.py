"""The reminder service's one command: snooze a reminder. Reached only through Dapr service invocation
from the gateway, which has already checked that the caller is a member of the household."""

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import delete, insert, select

from services.reminder.models import household_member, reminder
from shared.dapr import SidecarOnly
from shared.errors import NotFound

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
    async with request.app.state.sessions() as session, session.begin():
        original = (
            await session.execute(
                select(reminder).where(
                    reminder.c.id == reminder_id, reminder.c.household_id == body.household_id
                )
            )
        ).first()
        is_member = await session.scalar(
            select(household_member.c.user_id).where(
                household_member.c.household_id == body.household_id,
                household_member.c.user_id == body.user_id,
            )
        )
        if original is None or is_member is None:
            raise NotFound("No such reminder.")
        root = original.snoozed_from or original.id
        await session.execute(
            delete(reminder).where(
                reminder.c.snoozed_from == root,
                reminder.c.fired_at.is_(None),
                reminder.c.notify_user_ids == [body.user_id],
            )
        )
        snoozed_id = uuid.uuid4()
        copied = {
            c: getattr(original, c)
            for c in (
                "household_id",
                "subject_kind",
                "subject_id",
                "title",
                "offset",
                "due_at",
                "occasion_date",
                "assignee_id",
                "hidden_from",
                "person_ids",
            )
        }
        await session.execute(
            insert(reminder).values(
                id=snoozed_id,
                **copied,
                remind_at=body.until.astimezone(UTC),
                notify_user_ids=[body.user_id],
                snoozed_from=root,
                created_at=datetime.now(UTC),
            )
        )
    return Snoozed(reminder_id=snoozed_id, snoozed_from=root, remind_at=body.until)
