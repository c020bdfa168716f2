"""Firing reminders on time, once, from the schedule in Postgres.

Each replica runs one scheduler. It claims due rows with FOR UPDATE SKIP LOCKED, marks them fired and
stages their `reminder.triggered` events in the service's outbox in one transaction: two replicas never
claim the same row, a crash before the commit leaves the rows due (they fire after the restart), and a
crash after it leaves the events in the outbox for the relay. Between batches it sleeps until the
nearest pending reminder; a newly scheduled one wakes every replica (LISTEN/NOTIFY) in case it is nearer.
"""

import uuid
from collections import defaultdict

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.reminder.models import household_member, outbox, person_link, reminder
from shared.events.tasks import ReminderTriggered
from shared.metrics import REMINDER_LATENESS
from shared.outbox import add_events
from shared.worker import BackgroundWorker

log = structlog.get_logger()

SOURCE = "giftflow/reminder"


def audience(row, members: set[uuid.UUID], linked: dict[uuid.UUID, uuid.UUID]) -> tuple[list, list]:
    """(whom to notify, whom to keep it from) for one fired reminder.

    A task's reminder goes to its assignee, or to every member when it has none; an occasion's to every
    member but the people it is for. A snoozed reminder goes back only to whoever snoozed it.
    """
    hidden = set(row.hidden_from) | {linked[p] for p in row.person_ids if p in linked}
    if row.notify_user_ids is not None:
        notify = {u for u in row.notify_user_ids if u in members or not members}
    elif row.assignee_id is not None and row.assignee_id not in hidden:
        notify = {row.assignee_id}
    else:
        notify = members - hidden
    return sorted(notify - hidden, key=str), sorted(hidden, key=str)


def triggered(row, notify: list, hidden: list) -> ReminderTriggered:
    is_task = row.subject_kind == "task"
    return ReminderTriggered(
        household_id=row.household_id,
        hidden_from=tuple(hidden),
        hidden_persons=tuple(row.person_ids),
        reminder_id=row.id,
        task_id=row.subject_id if is_task else None,
        occasion_id=None if is_task else row.subject_id,
        title=row.title,
        due_at=row.due_at,
        occasion_date=row.occasion_date,
        offset=row.offset,
        remind_at=row.remind_at,
        fired_at=row.fired_at,
        notify_user_ids=tuple(notify),
        person_ids=tuple(row.person_ids),
        snoozed_from=row.snoozed_from,
    )


async def fire_due(conn: AsyncConnection, limit: int) -> list:
    """Claim, mark fired and stage the events of up to `limit` due reminders, in the caller's transaction."""
    due = (
        select(reminder.c.id)
        .where(reminder.c.fired_at.is_(None), reminder.c.remind_at <= func.clock_timestamp())
        .order_by(reminder.c.remind_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    rows = (
        await conn.execute(
            update(reminder)
            .where(reminder.c.id == due.c.id)
            .values(fired_at=func.clock_timestamp())
            .returning(*reminder.c)
        )
    ).all()
    if not rows:
        return []
    members: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for household_id, user_id in (
        await conn.execute(
            select(household_member.c.household_id, household_member.c.user_id).where(
                household_member.c.household_id.in_({r.household_id for r in rows})
            )
        )
    ).all():
        members[household_id].add(user_id)
    person_ids = {p for r in rows for p in r.person_ids}
    linked = (
        dict(
            (
                await conn.execute(
                    select(person_link.c.person_id, person_link.c.user_id).where(
                        person_link.c.person_id.in_(person_ids)
                    )
                )
            ).all()
        )
        if person_ids
        else {}
    )
    await add_events(
        conn,
        outbox,
        (triggered(row, *audience(row, members[row.household_id], linked)) for row in rows),
        source=SOURCE,
    )
    return rows


class ReminderScheduler(BackgroundWorker):
    name = "reminders"
    channel = (
        "reminder_scheduled"  # notified when a reminder is scheduled, in case it is the nearest
    )

    def __init__(
        self, engine: AsyncEngine, listen_dsn: str, batch_size: int = 500, max_sleep: float = 30.0
    ) -> None:
        super().__init__(listen_dsn)
        self.engine = engine
        self.batch_size = batch_size
        self.max_sleep = max_sleep

    async def run_once(self) -> bool:
        return await self.fire_once() >= self.batch_size  # a full batch: more are probably due

    async def idle_delay(self) -> float:
        # a reminder still due is claimed by another replica that has not committed yet: do not spin
        return max(await self.seconds_to_next(), 0.02)

    async def fire_once(self) -> int:
        async with self.engine.begin() as conn:
            rows = await fire_due(conn, self.batch_size)
        for row in rows:  # observed after the commit: these did fire
            REMINDER_LATENESS.observe(max(0.0, (row.fired_at - row.remind_at).total_seconds()))
        if rows:
            log.info("reminders.fired", count=len(rows))
        return len(rows)

    async def seconds_to_next(self) -> float:
        async with self.engine.connect() as conn:
            seconds = await conn.scalar(
                select(
                    func.extract("epoch", func.min(reminder.c.remind_at) - func.clock_timestamp())
                ).where(reminder.c.fired_at.is_(None))
            )
        return self.max_sleep if seconds is None else min(max(float(seconds), 0.0), self.max_sleep)
