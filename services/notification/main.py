"""Composition root of the notification service: event consumer, REST, the live stream and its hub."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notification import routes, sse
from services.notification.config import Settings
from services.notification.handlers import HANDLERS
from services.notification.hub import StreamHub
from services.notification.mail import routes as mail_routes
from services.notification.mail.digests import DigestMaker
from services.notification.mail.sender import MailSender
from services.notification.models import processed_event
from services.notification.retention import keep_retention
from shared.app import create_service_app
from shared.consumer import events_router
from shared.db import asyncpg_dsn
from shared.deadletters import dead_letters_router
from shared.inbox import keep_inbox_pruned
from shared.worker import running


@asynccontextmanager
async def run_background(app: FastAPI) -> AsyncIterator[None]:
    await app.state.hub.start()
    try:
        async with (
            keep_retention(app),
            keep_inbox_pruned(app, processed_event),
            running(app.state.mail_sender),
            running(app.state.digest_maker),
        ):
            yield
    finally:
        await app.state.hub.stop()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow notification", extra=run_background)
    app.state.hub = StreamHub(
        app.state.engine,
        asyncpg_dsn(settings.database_url),
        poll_interval_s=settings.stream_poll_interval_s,
        backlog_limit=settings.stream_client_backlog,
        heartbeat_s=settings.stream_heartbeat_s,
    )
    app.include_router(events_router(settings.service_name, processed_event, HANDLERS))
    app.include_router(dead_letters_router(settings.service_name))
    app.include_router(routes.router)
    app.include_router(sse.router)
    app.include_router(mail_routes.router)
    app.state.mail_sender = MailSender(
        app.state.engine, asyncpg_dsn(settings.database_url), settings
    )
    app.state.digest_maker = DigestMaker(
        app.state.engine, app.state.dapr, asyncpg_dsn(settings.database_url), settings
    )
    return app


app = create_app()
