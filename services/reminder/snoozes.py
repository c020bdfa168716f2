"""Snoozing a reminder: remind one member again later, with a reminder for them alone. The original,
the task's due time and its series stay as they are; snoozing again replaces their earlier snooze."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reminder.models import household_member, reminder
from shared.errors import NotFound

# what a snooze repeats of the reminder it was made from
COPIED = (
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


@dataclass(frozen=True)
class Snoozed:
    reminder_id: uuid.UUID
    snoozed_from: uuid.UUID  # the reminder first snoozed, however often it was snoozed again


async def snooze_reminder(
    session: AsyncSession,
    household_id: uuid.UUID,
    user_id: uuid.UUID,
    reminder_id: uuid.UUID,
    until: datetime,
) -> Snoozed:
    async with session.begin():
        original = (
            await session.execute(
                select(reminder).where(
                    reminder.c.id == reminder_id, reminder.c.household_id == household_id
                )
            )
        ).first()
        is_member = await session.scalar(
            select(household_member.c.user_id).where(
                household_member.c.household_id == household_id,
                household_member.c.user_id == user_id,
            )
        )
        if original is None or is_member is None:
            raise NotFound("No such reminder.")
        root = original.snoozed_from or original.id
        await session.execute(
            delete(reminder).where(
                reminder.c.snoozed_from == root,
                reminder.c.fired_at.is_(None),
                reminder.c.notify_user_ids == [user_id],
            )
        )
        snoozed_id = uuid.uuid4()
        await session.execute(
            insert(reminder).values(
                id=snoozed_id,
                **{c: getattr(original, c) for c in COPIED},
                remind_at=until.astimezone(UTC),
                notify_user_ids=[user_id],
                snoozed_from=root,
                created_at=datetime.now(UTC),
            )
        )
    return Snoozed(snoozed_id, root)
