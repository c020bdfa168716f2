"""Daily retention: stream messages are kept for reconnects only, notifications for the member's inbox,
parked events until their household could still come (see `parking`)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import structlog
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notification import parking
from services.notification.models import notification, stream_message
from shared.worker import Every, running

log = structlog.get_logger()


async def prune(
    engine: AsyncEngine,
    now: datetime,
    stream_days: int,
    notification_days: int,
    parked_days: int,
) -> dict[str, int]:
    """Delete stream messages, notifications and parked events older than their retention; how many of each."""
    async with engine.begin() as conn:
        messages = await conn.execute(
            delete(stream_message).where(
                stream_message.c.created_at < now - timedelta(days=stream_days)
            )
        )
        notices = await conn.execute(
            delete(notification).where(
                notification.c.created_at < now - timedelta(days=notification_days)
            )
        )
        parked = await parking.drop_expired(conn, now - timedelta(days=parked_days))
    return {
        "stream_messages": messages.rowcount,
        "notifications": notices.rowcount,
        "parked_events": parked,
    }


@asynccontextmanager
async def keep_retention(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings

    async def once() -> None:
        pruned = await prune(
            app.state.engine,
            datetime.now(UTC),
            settings.stream_retention_days,
            settings.notification_retention_days,
            settings.parked_retention_days,
        )
        log.info("notification.retention", **pruned)

    async with running(Every("notification_retention", once, settings.retention_interval_s)):
        yield
