"""Retention of the schedule: fired reminders, and what is known of each task and occasion (the last
version applied), are kept only while an event about them can still arrive.

Both guard against a late event: a subject's version makes an older event change nothing, and a fired
reminder's row keeps the same occurrence from being scheduled again. An event can arrive late as a
redelivery (Kafka keeps 7 days) or from a dead-letter replay (the dead-letter topics keep 30 days), so
the retention (SCHEDULE_RETENTION_DAYS, 45 by default) must outlast both. After it, a new event of a
subject simply starts its record again, with a version higher than any before.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reminder.models import reminder, subject
from shared.worker import Retention, running


async def prune_schedule(engine: AsyncEngine, before: datetime, limit: int) -> dict[str, int]:
    """Forget up to `limit` reminders fired before `before` and up to `limit` subjects unchanged since,
    in a transaction of their own; how many of each went. Rows another replica's pruner holds are
    skipped, not waited for."""
    fired = (
        select(reminder.c.id)
        .where(reminder.c.fired_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stale = (
        select(subject.c.kind, subject.c.id)
        .where(subject.c.changed_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with engine.begin() as conn:
        reminders = await conn.execute(
            delete(reminder).where(reminder.c.id.in_(fired.scalar_subquery()))
        )
        subjects = await conn.execute(
            delete(subject).where(tuple_(subject.c.kind, subject.c.id).in_(stale))
        )
    return {"reminders": reminders.rowcount, "subjects": subjects.rowcount}


def schedule_retention(
    engine: AsyncEngine, retention: timedelta, interval_s: float, batch_size: int = 1000
) -> Retention:
    return Retention(
        "schedule",
        lambda before, limit: prune_schedule(engine, before, limit),
        retention,
        interval_s,
        batch_size,
    )


@asynccontextmanager
async def keep_schedule_pruned(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    async with running(
        schedule_retention(
            app.state.engine,
            timedelta(days=settings.schedule_retention_days),
            settings.schedule_prune_interval_s,
        )
    ):
        yield
