"""structlog JSON logs carrying the W3C trace id Dapr propagates (`traceparent`)."""

import logging
import sys

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send


def configure_logging(service: str, level: str = "info") -> None:
    """JSON lines on stdout, one per event, with the service name and any bound trace id."""
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # request lines of the sidecar client would drown the service's own logs
    logging.getLogger("httpx").setLevel(logging.WARNING)


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id inside a W3C `traceparent` (version-traceid-spanid-flags), if well formed."""
    if not traceparent:
        return None
    parts = traceparent.split("-")
    if len(parts) == 4 and len(parts[1]) == 32:
        return parts[1]
    return None


class TraceContextMiddleware:
    """Binds the request's trace id (and the raw traceparent) to the log context for its lifetime."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        traceparent = headers.get(b"traceparent", b"").decode() or None
        tokens = structlog.contextvars.bind_contextvars(
            trace_id=trace_id_of(traceparent), traceparent=traceparent
        )
        try:
            await self.app(scope, receive, send)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)


def current_traceparent() -> str | None:
    return structlog.contextvars.get_contextvars().get("traceparent")
