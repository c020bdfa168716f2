"""Prometheus metrics every service exposes on /metrics. Names here are the ones dashboards use.

A service run as several worker processes behind one port (the local stack's gateway) sets
PROMETHEUS_MULTIPROC_DIR: every worker then writes its values there and /metrics answers for all of them
together. Without it a scrape would reach one worker or another, and every switch would look like a
counter reset to rate().
"""

import os
import time

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "giftflow_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "giftflow_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PUBLISHED = Counter(
    "giftflow_events_published_total",
    "Events the outbox relay handed to Dapr",
    ["topic", "outcome"],
)
# each relay (one per worker) observes the same outbox in turn: the latest observation is the answer
OUTBOX_BACKLOG = Gauge(
    "giftflow_outbox_backlog", "Outbox rows not yet published", multiprocess_mode="mostrecent"
)
OUTBOX_OLDEST_AGE = Gauge(
    "giftflow_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row",
    multiprocess_mode="mostrecent",
)
EVENTS_CONSUMED = Counter(
    "giftflow_events_consumed_total",
    "Events a consumer answered, by outcome",
    ["service", "type", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "giftflow_events_dead_lettered_total",
    "Events found in a consumer's dead-letter topic, by type",
    ["service", "type"],
)
HANDLER_LATENCY = Histogram(
    "giftflow_event_handler_duration_seconds",
    "Time to handle one delivered batch of events",
    ["service"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
SSE_CONNECTIONS = Gauge(
    "giftflow_sse_connections", "Open SSE streams", ["service"], multiprocess_mode="livesum"
)
REMINDER_LATENESS = Histogram(
    "giftflow_reminder_lateness_seconds",
    "fired_at - remind_at of each fired reminder",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)

# Probes and scrapes, not user traffic: the sidecar's health check alone asks every second, and counted
# they would dilute the error ratio, or (a database blip failing them all) make up most of the 5xx.
# Their health shows in `up` and in readiness instead.
UNCOUNTED_ROUTES = frozenset({"/healthz", "/healthz/database", "/readyz", "/metrics"})

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """HTTP RED metrics of user traffic (not of probes and scrapes), labelled by route template (not
    raw path) to keep cardinality bounded."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            if route not in UNCOUNTED_ROUTES:
                method = scope["method"]
                HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
                HTTP_LATENCY.labels(self.service, method, route).observe(
                    time.perf_counter() - start
                )
