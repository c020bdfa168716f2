"""Composition root of the gateway: the REST API over the gifting domain, and the outbox relay."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Receive, Scope, Send

from services.gateway.config import Settings
from services.gateway.dot_segments import RefuseDotSegments
from services.gateway.models import outbox
from services.gateway.routes import api
from shared.app import create_service_app
from shared.db import asyncpg_dsn
from shared.errors import envelope
from shared.relay import OutboxRelay
from shared.worker import running

# the static web client; same origin as the API, so it signs in with the HttpOnly cookies
WEB_DIR = Path(__file__).resolve().parents[2] / "web"


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class WebClient(StaticFiles):
    """The client's files, revalidated on every load (a 304 when unchanged): its modules import each
    other, so a browser must never mix a cached old one with a new one.

    Mounted at `/`, it is reached by every request no route matched in full, API ones included: those
    get the API's answer, in the envelope — 405 with the methods the path does allow, or 404."""

    def __init__(self, *, routes: list[BaseRoute], **kwargs) -> None:
        super().__init__(**kwargs)
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            allowed = [m for m in METHODS if any(
                r.matches({**scope, "method": m})[0] is Match.FULL for r in self.routes if not isinstance(r, Mount))]
            response = (envelope(405, "method_not_allowed", f"{scope['method']} is not allowed here; use "
                                 f"{' or '.join(allowed)}.") if allowed
                        else envelope(404, "not_found", "There is no such API endpoint."))
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

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
        app.mount("/", WebClient(directory=WEB_DIR, html=True, routes=app.router.routes), name="web")
    return app


app = create_app()
