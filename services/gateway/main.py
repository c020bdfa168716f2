"""Composition root of the gateway: the REST API over the gifting domain, the outbox relay, and the
background loops beside it (retention, the occasion wrap-up)."""

import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Receive, Scope, Send

from services.gateway.config import Settings
from services.gateway.dot_segments import RefuseDotSegments
from services.gateway.models import history, outbox  # noqa: F401  (history: table models the routes do not import yet)
from services.gateway.retention import keep_accounts_pruned
from services.gateway.route_index import index_routers
from services.gateway.routes import ROUTERS
from services.gateway.web_bundle import bundle, find_bundler
from services.gateway.wrap_up import keep_wrapping_up
from shared.app import create_service_app
from shared.db import asyncpg_dsn
from shared.errors import envelope
from shared.relay import OutboxRelay
from shared.worker import running

# the static web client; same origin as the API, so it signs in with the HttpOnly cookies
WEB_DIR = Path(__file__).resolve().parents[2] / "web"


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


IMMUTABLE = "public, max-age=31536000, immutable"
VERSIONED = re.compile(r"^v/([0-9a-f]{12})/(.+)$")
# the module and style sheet addresses in index.html, given the version
SHELL_LINKS = re.compile(r'(src|href)="/(js|css)/')
# the module index.html starts the client with: under /v/, everything it imports, in one file
ENTRY = "js/app.js"


class WebClient(StaticFiles):
    """The client's files. Its modules import each other, so a browser must never mix an old one with a
    new one: index.html (revalidated on every load) names its modules and style sheet under
    `/v/<version>/`, the version a hash of all the client's files. Relative imports stay under it, and
    what is under it never changes, so a browser keeps it for good; a new version is new addresses.
    A version that is not the current one (a page loaded before an upgrade) gets today's files,
    revalidated, never kept. Other files (the service worker, the manifest, icons) are revalidated.

    With a bundler (services/gateway/web_bundle.py), `/v/<version>/js/app.js` is the entry module
    with everything it imports, so a first visit costs one script, not one request per module.

    Mounted at `/`, it is reached by every request no route matched in full, API ones included: those
    get the API's answer, in the envelope — 405 with the methods the path does allow, or 404."""

    def __init__(self, *, routes: list[BaseRoute], bundler: Path | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.routes = routes
        self.bundler = bundler
        self._version = ""
        self._stamp: tuple = ()
        self._bundle: tuple[str, bytes | None] = ("", None)

    def version(self) -> str:
        """A hash of the client's files, made again when one changes (as while a developer edits them)."""
        files = sorted(p for p in Path(self.directory).rglob("*") if p.is_file())
        stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        if stamp != self._stamp:
            digest = hashlib.sha256()
            for path in files:
                digest.update(
                    path.relative_to(self.directory).as_posix().encode()
                    + b"\0"
                    + path.read_bytes()
                    + b"\0"
                )
            self._version, self._stamp = digest.hexdigest()[:12], stamp
        return self._version

    def index(self, scope: Scope) -> Response:
        version = self.version()
        etag = f'"{version}"'
        headers = {"cache-control": "no-cache", "etag": etag}
        if etag in Headers(scope=scope).get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        html = (Path(self.directory) / "index.html").read_text()
        return HTMLResponse(SHELL_LINKS.sub(rf'\1="/v/{version}/\2/', html), headers=headers)

    async def bundled(self) -> bytes | None:
        """The entry module bundled, made once per version (None: serve the modules one by one)."""
        version = self.version()
        if self.bundler is not None and self._bundle[0] != version:
            entry = Path(self.directory) / ENTRY
            self._bundle = (version, await anyio.to_thread.run_sync(bundle, self.bundler, entry))
        return self._bundle[1]

    async def entry(self, scope: Scope) -> Response | None:
        made = await self.bundled()
        if made is None:
            return None
        etag = f'"{self._bundle[0]}-bundle"'
        headers = {"etag": etag, "content-type": "text/javascript; charset=utf-8"}
        if etag in Headers(scope=scope).get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(made, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            allowed = [
                m
                for m in METHODS
                if any(
                    r.matches({**scope, "method": m})[0] is Match.FULL
                    for r in self.routes
                    if not isinstance(r, Mount)
                )
            ]
            response = (
                envelope(
                    405,
                    "method_not_allowed",
                    f"{scope['method']} is not allowed here; use {' or '.join(allowed)}.",
                )
                if allowed
                else envelope(404, "not_found", "There is no such API endpoint.")
            )
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope) -> Response:
        if path in (".", "index.html"):
            return self.index(scope)
        versioned = VERSIONED.match(path)
        response = (
            await self.entry(scope) if versioned and versioned.group(2) == ENTRY else None
        ) or await super().get_response(versioned.group(2) if versioned else path, scope)
        current = versioned is not None and versioned.group(1) == self.version()
        response.headers["cache-control"] = (
            IMMUTABLE if current and response.status_code in (200, 304) else "no-cache"
        )
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
    async with running(relay), keep_accounts_pruned(app), keep_wrapping_up(app):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow gateway", extra=run_relay)
    app.add_middleware(RefuseDotSegments)
    for router in ROUTERS:
        app.include_router(router, prefix="/api")
    index_routers(app)
    if (
        WEB_DIR.is_dir()
    ):  # last: every route above (/api, /docs, /healthz, /readyz, /metrics) wins over it
        web = WebClient(
            directory=WEB_DIR,
            html=True,
            routes=app.router.routes,
            bundler=find_bundler(settings.web_bundler),
        )
        app.mount("/", GZipMiddleware(web, minimum_size=500), name="web")
    return app


app = create_app()
