"""Composition root of the gateway: the REST API over the gifting domain, and the outbox relay."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.gateway.config import Settings
from services.gateway.models import outbox
from services.gateway.routes import api
from shared.app import create_service_app
from shared.db import asyncpg_dsn
from shared.relay import OutboxRelay


@asynccontextmanager
async def run_relay(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    relay = OutboxRelay(
        app.state.engine,
        outbox,
        app.state.dapr,
        listen_dsn=asyncpg_dsn(settings.database_url),
        batch_size=settings.outbox_batch_size,
        poll_interval=settings.outbox_poll_interval_s,
    )
    await relay.start()
    try:
        yield
    finally:
        await relay.stop()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow gateway", extra=run_relay)
    app.include_router(api)
    return app


app = create_app()
