"""One origin for the browser: the gateway passes the notification service's REST and live stream, and
the audit log's query API, on to the services that own them, as an ingress would in a cluster.

Bodies stream both ways, so an SSE stream flows through as it is written. The services authenticate
the caller themselves (the same access token, header or cookie), so requests pass unchanged.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import APIRouter, FastAPI, Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from shared.errors import envelope

log = structlog.get_logger()

# not forwarded: they describe one connection, not the request (RFC 9110 §7.6.1)
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
    "trailer", "transfer-encoding", "upgrade", "host", "content-length",
})
# without a byte for this long (heartbeats come every 15 s) an upstream stream is dead: end it, so the
# browser reconnects, maybe to a healthy replica
STREAM_IDLE_TIMEOUT_S = 45.0
REST_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
STREAM_TIMEOUT = httpx.Timeout(connect=5.0, read=STREAM_IDLE_TIMEOUT_S, write=10.0, pool=5.0)


def notification_client(app: FastAPI) -> httpx.AsyncClient:
    client = getattr(app.state, "notification_client", None)
    if client is None:
        # no connection cap: every open stream holds one upstream connection for as long as it lasts
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=100)
        client = app.state.notification_client = httpx.AsyncClient(
            base_url=app.state.settings.notification_url, limits=limits
        )
    return client


@asynccontextmanager
async def upstreams(app: FastAPI) -> AsyncIterator[None]:
    try:
        yield
    finally:
        if (client := getattr(app.state, "notification_client", None)) is not None:
            await client.aclose()


router = APIRouter(lifespan=upstreams, include_in_schema=False)


def _request_headers(request: Request) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items()
               if k.lower() not in HOP_BY_HOP and not k.lower().startswith("dapr-")}
    if request.client:
        forwarded = request.headers.get("x-forwarded-for")
        headers["x-forwarded-for"] = f"{forwarded}, {request.client.host}" if forwarded else request.client.host
    return headers


async def _forward(request: Request, client: httpx.AsyncClient, url: str, timeout: httpx.Timeout,
                   what: str) -> Response:
    """`request` sent on to `url` with `client` (whose own headers, like the sidecar token, are added)."""
    upstream = client.build_request(
        request.method, url, params=request.query_params.multi_items(), headers=_request_headers(request),
        content=await request.body(), timeout=timeout,
    )
    try:
        response = await client.send(upstream, stream=True)
    except httpx.HTTPError as exc:
        log.warning("proxy.upstream_unreachable", upstream=what, error=repr(exc))
        return envelope(503, "service_unavailable", f"{what} are unavailable right now; please try again in a moment.")
    headers = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP - {"content-length"}}
    return StreamingResponse(_relay(response, what), status_code=response.status_code, headers=headers,
                             background=BackgroundTask(response.aclose))


async def _relay(response: httpx.Response, what: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.HTTPError as exc:
        # the upstream went away mid-stream: ending ours makes the browser reconnect
        log.info("proxy.upstream_ended", upstream=what, error=repr(exc))


async def _notification(request: Request, timeout: httpx.Timeout) -> Response:
    return await _forward(request, notification_client(request.app), request.url.path, timeout, "Notifications")


@router.get("/households/{household_id}/notifications/stream")
async def notification_stream(request: Request) -> Response:
    return await _notification(request, STREAM_TIMEOUT)


@router.api_route("/households/{household_id}/notifications", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@router.api_route("/households/{household_id}/notifications/{path:path}",
                  methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def notifications(request: Request) -> Response:
    return await _notification(request, REST_TIMEOUT)


@router.api_route("/households/{household_id}/audit", methods=["GET"])
@router.api_route("/households/{household_id}/audit/{path:path}", methods=["GET"])
async def audit(request: Request) -> Response:
    """Through the sidecars (Dapr service invocation): the audit service needs no address of its own."""
    return await _forward(request, request.app.state.dapr.http, f"/v1.0/invoke/audit/method{request.url.path}",
                          REST_TIMEOUT, "The audit log")
