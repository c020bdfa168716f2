"""Composition root of the recurring processor: its event handlers, the loop that asks the gateway
for next occurrences, and the pruning of its inbox and of what it has generated."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.recurring.config import Settings
from services.recurring.generator import OccurrenceGenerator
from services.recurring.handlers import HANDLERS
from services.recurring.models import processed_event
from services.recurring.retention import keep_occurrences_pruned
from shared.app import create_service_app
from shared.consumer import events_router
from shared.db import asyncpg_dsn
from shared.deadletters import dead_letters_router
from shared.inbox import keep_inbox_pruned
from shared.worker import running


@asynccontextmanager
async def run_generator(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    generator = OccurrenceGenerator(
        app.state.sessions,
        app.state.dapr,
        asyncpg_dsn(settings.database_url),
        settings.generator_batch_size,
        settings.generator_max_sleep_s,
        settings.generator_lease_s,
    )
    async with (
        running(generator),
        keep_inbox_pruned(app, processed_event),
        keep_occurrences_pruned(app),
    ):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow recurring", extra=run_generator)
    app.include_router(events_router(settings.service_name, processed_event, HANDLERS))
    app.include_router(dead_letters_router(settings.service_name))
    return app


app = create_app()
