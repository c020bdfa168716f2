"""Composition root of the reminder service: its event handlers, its scheduler, its outbox relay and the
pruning of its inbox and of its schedule."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.reminder.config import Settings
from services.reminder.handlers import handlers
from services.reminder.models import outbox, processed_event
from services.reminder.retention import keep_schedule_pruned
from services.reminder.routes import router
from services.reminder.scheduler import ReminderScheduler
from shared.app import create_service_app
from shared.consumer import events_router
from shared.db import asyncpg_dsn
from shared.deadletters import dead_letters_router
from shared.inbox import keep_inbox_pruned
from shared.relay import OutboxRelay
from shared.worker import running


@asynccontextmanager
async def run_scheduler_and_relay(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    dsn = asyncpg_dsn(settings.database_url)
    relay = OutboxRelay(
        app.state.engine,
        outbox,
        app.state.dapr,
        listen_dsn=dsn,
        batch_size=settings.outbox_batch_size,
        poll_interval=settings.outbox_poll_interval_s,
    )
    scheduler = ReminderScheduler(
        app.state.engine, dsn, settings.scheduler_batch_size, settings.scheduler_max_sleep_s
    )
    async with (
        running(relay, scheduler),
        keep_inbox_pruned(app, processed_event),
        keep_schedule_pruned(app),
    ):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow reminder", extra=run_scheduler_and_relay)
    app.include_router(events_router(settings.service_name, processed_event, handlers(settings)))
    app.include_router(dead_letters_router(settings.service_name))
    app.include_router(router)
    return app


app = create_app()
