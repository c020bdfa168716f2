"""Composition root of the gateway: the REST API over the gifting domain, and the outbox relay."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from services.gateway.config import Settings
from services.gateway.dot_segments import RefuseDotSegments
from services.gateway.models import outbox
from services.gateway.routes import api
from shared.app import create_service_app
from shared.db import asyncpg_dsn
from shared.relay import OutboxRelay
from shared.worker import running

# the static web client; same origin as the API, so it signs in with the HttpOnly cookies
WEB_DIR = Path(__file__).resolve().parents[2] / "web"


class WebClient(StaticFiles):
    """The client's files, revalidated on every load (a 304 when unchanged): its modules import each
    other, so a browser must never mix a cached old one with a new one."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("cache-control", "no-cache")
        return response


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
    async with running(relay):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow gateway", extra=run_relay)
    app.add_middleware(RefuseDotSegments)
    app.include_router(api)
    if WEB_DIR.is_dir():  # last: every route above (/api, /docs, /healthz, /readyz, /metrics) wins over it
        app.mount("/", WebClient(directory=WEB_DIR, html=True), name="web")
    return app


app = create_app()
