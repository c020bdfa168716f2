"""Composition root of the audit logger: every event into the log, and the admins' query API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.audit import routes
from services.audit.config import Settings
from services.audit.handlers import CATCH_ALL, HANDLERS
from services.audit.models import processed_event
from services.audit.partitions import keep_partitions
from shared.app import create_service_app
from shared.consumer import events_router
from shared.deadletters import dead_letters_router
from shared.inbox import keep_inbox_pruned


@asynccontextmanager
async def run_background(app: FastAPI) -> AsyncIterator[None]:
    async with keep_partitions(app), keep_inbox_pruned(app, processed_event):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow audit", extra=run_background)
    app.include_router(
        events_router(settings.service_name, processed_event, HANDLERS, catch_all=CATCH_ALL)
    )
    app.include_router(dead_letters_router(settings.service_name))
    app.include_router(routes.router)
    return app


app = create_app()
