"""Retention of what has been generated: a request the gateway answered (done or refused) is kept only
while an event about its task can still arrive.

While it is pending it is the request itself; once answered it only tells a task made from it which
one of its series it is (`handlers._index_of`, when that task's first event arrives). Events arrive
late at most as long as Kafka (7 days) or a dead-letter topic (30 days) keeps them, so the retention
(OCCURRENCE_RETENTION_DAYS, 45 by default) outlasts both; the gateway itself refuses a second task for
one occurrence whatever is forgotten here. Pending requests are never pruned.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from services.recurring.models import occurrence
from shared.worker import Retention, Stale, running, stale_rows_retention


def occurrence_retention(
    engine: AsyncEngine, retention: timedelta, interval_s: float, batch_size: int = 1000
) -> Retention:
    """Forgets requests answered more than `retention` ago."""
    answered = Stale(occurrence, (occurrence.c.id,), lambda before: occurrence.c.done_at < before)
    return stale_rows_retention(
        "occurrences", engine, {"occurrences": answered}, retention, interval_s, batch_size
    )


@asynccontextmanager
async def keep_occurrences_pruned(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    async with running(
        occurrence_retention(
            app.state.engine,
            timedelta(days=settings.occurrence_retention_days),
            settings.occurrence_prune_interval_s,
        )
    ):
        yield
