"""One origin for the browser: the gateway serves the notification service's REST and live stream, and
the audit log's query API, by asking the services that own them, as an ingress would in a cluster.

Only the routes those services really serve are passed on, each one an entry of `ROUTES`. The path
sent upstream is that entry's template filled in with the UUIDs the route matched, never the path the
caller sent: no `..`, raw or encoded, can steer a request anywhere else — least of all into the
gateway's own sidecar, which the audit route goes through with the gateway's Dapr API token. A path
parameter that is not a UUID matches no route (404), and the caller must be a member of the household
before anything is passed on (401 without a sign-in, 404 for another household); the one exception is
a `public` route, whose request carries a signed token of its own (a mail's unsubscribe link). The services then
authenticate the caller again themselves (the same access token, header or cookie) and decide what
they may see; the request's query, body and headers pass unchanged.

Bodies stream both ways, so an SSE stream flows through as it is written.
"""

import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from services.gateway.deps import get_current_member
from shared.errors import envelope
from shared.streams import ByteStream, StreamRoute

log = structlog.get_logger()

# not forwarded: they describe one connection, not the request (RFC 9110 §7.6.1)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
# without a byte for this long (heartbeats come every 15 s) an upstream stream is dead: end it, so the
# browser reconnects, maybe to a healthy replica
STREAM_IDLE_TIMEOUT_S = 45.0
REST_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
STREAM_TIMEOUT = httpx.Timeout(connect=5.0, read=STREAM_IDLE_TIMEOUT_S, write=10.0, pool=5.0)
# a browser that stops reading: its stream ends rather than holding the upstream one open
STREAM_SEND_TIMEOUT_S = 10.0

PARAMETER = re.compile(r"\{(\w+)\}")


def notification_client(app: FastAPI) -> httpx.AsyncClient:
    client = getattr(app.state, "notification_client", None)
    if client is None:
        # no connection cap: every open stream holds one upstream connection for as long as it lasts
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=100)
        client = app.state.notification_client = httpx.AsyncClient(
            base_url=app.state.settings.notification_url, limits=limits
        )
    return client


def sidecar_client(app: FastAPI) -> httpx.AsyncClient:
    return app.state.dapr.http


@dataclass(frozen=True)
class Upstream:
    """A service the gateway passes routes on to, and how it is reached."""

    what: str  # for a person: "<what> are unavailable right now"
    client: Callable[[FastAPI], httpx.AsyncClient]
    base: str = ""  # put before the route's path


NOTIFICATION = Upstream("Notifications", notification_client)
# through the sidecars (Dapr service invocation): the audit service needs no address of its own
AUDIT = Upstream("The audit log", sidecar_client, base="/v1.0/invoke/audit/method")


@dataclass(frozen=True)
class ProxiedRoute:
    """A route the gateway serves by asking `upstream`, which serves it at the same path under /api."""

    path: str  # under /api; each {parameter} is a UUID, and {household_id} is always one of them
    methods: tuple[str, ...]
    upstream: Upstream
    stream: bool = False  # a live stream: no time limit on the whole response, only between bytes
    # for anyone, signed in or not: only a route whose request carries its own proof (a signed token
    # the owning service checks), like the unsubscribe link of a mail
    public: bool = False

    @property
    def parameters(self) -> list[str]:
        return PARAMETER.findall(self.path)

    @property
    def route(self) -> str:
        """The path as the gateway routes it: a segment that is not a UUID matches nothing."""
        return PARAMETER.sub(r"{\1:uuid}", self.path)

    def upstream_path(self, params: Mapping[str, Any]) -> str:
        """Where this route is sent: the template, filled in with the matched UUIDs and nothing else."""
        values = {}
        for name in self.parameters:
            value = params[name]
            if not isinstance(
                value, uuid.UUID
            ):  # the route's convertor made it one; anything else is a bug
                raise TypeError(
                    f"{name} must be a UUID to build an upstream path, not {type(value).__name__}"
                )
            values[name] = str(value)  # canonical: hex digits and hyphens only
        return f"{self.upstream.base}/api{self.path.format_map(values)}"


_NOTIFICATIONS = "/households/{household_id}/notifications"

# exactly what services/notification/routes.py and sse.py, and services/audit/routes.py serve
# (tests/unit/test_proxy_routes.py holds them to it)
ROUTES = (
    ProxiedRoute(_NOTIFICATIONS, ("GET",), NOTIFICATION),
    ProxiedRoute(f"{_NOTIFICATIONS}/unread-count", ("GET",), NOTIFICATION),
    ProxiedRoute(f"{_NOTIFICATIONS}/read-all", ("POST",), NOTIFICATION),
    ProxiedRoute(f"{_NOTIFICATIONS}/{{notification_id}}/read", ("POST",), NOTIFICATION),
    ProxiedRoute(f"{_NOTIFICATIONS}/preferences", ("GET", "PUT"), NOTIFICATION),
    ProxiedRoute(f"{_NOTIFICATIONS}/mail", ("GET", "PUT"), NOTIFICATION),
    ProxiedRoute(f"{_NOTIFICATIONS}/stream", ("GET",), NOTIFICATION, stream=True),
    ProxiedRoute("/households/{household_id}/audit", ("GET",), AUDIT),
    # RFC 8058 one-click unsubscribe: a mail client posts it with nobody signed in
    ProxiedRoute("/mail/unsubscribe", ("GET", "POST"), NOTIFICATION, public=True),
)


@asynccontextmanager
async def upstreams(app: FastAPI) -> AsyncIterator[None]:
    try:
        yield
    finally:
        if (client := getattr(app.state, "notification_client", None)) is not None:
            await client.aclose()


def _request_headers(request: Request) -> dict[str, str]:
    headers = {
        k: v
        for k, v in request.headers.items()
        if k.lower() not in HOP_BY_HOP and not k.lower().startswith("dapr-")
    }
    if request.client:
        forwarded = request.headers.get("x-forwarded-for")
        headers["x-forwarded-for"] = (
            f"{forwarded}, {request.client.host}" if forwarded else request.client.host
        )
    return headers


async def _forward(
    request: Request, route: ProxiedRoute, client: httpx.AsyncClient, path: str
) -> Response:
    """`request` sent on to `path` with `client` (whose own headers, like the sidecar token, are added)."""
    what = route.upstream.what
    upstream = client.build_request(
        request.method,
        path,
        params=tuple(request.query_params.multi_items()),
        headers=_request_headers(request),
        content=await request.body(),
        timeout=STREAM_TIMEOUT if route.stream else REST_TIMEOUT,
    )
    try:
        response = await client.send(upstream, stream=True)
    except httpx.HTTPError as exc:
        log.warning("proxy.upstream_unreachable", upstream=what, error=repr(exc))
        return envelope(
            503,
            "service_unavailable",
            f"{what} are unavailable right now; please try again in a moment.",
        )
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in HOP_BY_HOP - {"content-length"}
    }
    if route.stream:
        # open for hours, thousands at once: a response that keeps only what it must (a general
        # streaming response keeps a task group of two per stream); the browser leaving cancels
        # the wait for the next bytes from upstream
        return ByteStream(
            _relay(response, what),
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
            send_timeout_s=STREAM_SEND_TIMEOUT_S,
            status_code=response.status_code,
        )
    return StreamingResponse(
        _relay(response, what),
        status_code=response.status_code,
        headers=headers,
        background=BackgroundTask(response.aclose),  # also when the client left before the end
    )


async def _relay(response: httpx.Response, what: str) -> AsyncGenerator[bytes, None]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.HTTPError as exc:
        # the upstream went away mid-stream: ending ours makes the browser reconnect
        log.info("proxy.upstream_ended", upstream=what, error=repr(exc))
    finally:
        await response.aclose()  # idempotent


def _forwarder(route: ProxiedRoute) -> Callable[[Request], Any]:
    async def forward(request: Request) -> Response:
        client = route.upstream.client(request.app)
        return await _forward(request, route, client, route.upstream_path(request.path_params))

    return forward


router = APIRouter(
    lifespan=upstreams, include_in_schema=False
)  # documented by the services that own them
for _route in ROUTES:
    router.add_api_route(
        _route.route,
        _forwarder(_route),
        methods=list(_route.methods),
        name=f"proxy {_route.path}",
        # a member of the household, before anything is sent
        dependencies=[] if _route.public else [Depends(get_current_member)],
        # a stream: nothing of FastAPI's kept around it while it is open
        route_class_override=StreamRoute if _route.stream else None,
    )
