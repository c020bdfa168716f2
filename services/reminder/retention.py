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
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reminder.models import reminder, subject
from shared.worker import Retention, Stale, running, stale_rows_retention


def schedule_retention(
    engine: AsyncEngine, retention: timedelta, interval_s: float, batch_size: int = 1000
) -> Retention:
    """Forgets reminders fired, and subjects unchanged, more than `retention` ago."""
    stale = {
        "reminders": Stale(reminder, (reminder.c.id,), lambda before: reminder.c.fired_at < before),
        "subjects": Stale(
            subject, (subject.c.kind, subject.c.id), lambda before: subject.c.changed_at < before
        ),
    }
    return stale_rows_retention("schedule", engine, stale, retention, interval_s, batch_size)


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
