"""The live stream's HTTP response: `text/event-stream`, written by the request's own task.

A stream is idle nearly all its life and a replica holds thousands, so each costs what it must and no
more. Heartbeats come from the hub's one timer (a wake of the stream, not a pinger task per stream);
the only other task a stream has is the one waiting for the client to hang up, since ASGI tells that
only through `receive`. A general-purpose SSE response keeps a task group of four per stream, with a
cancel scope per send: about 39 KB per idle stream in a bare app, against 23 KB this way
(3,000 idle streams, RSS of the serving process).

Frames arrive encoded (`stream_messages.frame` and the helpers below); a send that takes longer than
the send timeout ends the stream (a client that stopped reading; it reconnects and replays), and the
server closes the connection the response left unfinished.

The route serving a stream (`StreamRoute`) reads its parameters and dependencies as FastAPI does, then
runs the response without what FastAPI keeps around every response for as long as it runs.
"""

import asyncio
import inspect
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import structlog
from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import solve_dependencies
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from services.notification.stream_messages import SEP, event_body, frame

log = structlog.get_logger()

HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"connection", b"keep-alive"),
    (b"x-accel-buffering", b"no"),  # nginx, the ingress: pass each message on at once
]

HEARTBEAT = (
    f": ping{SEP}{SEP}".encode()
)  # a comment line: keeps proxies from closing an idle stream


def control(event: str, data: str, seq: int, retry_ms: int | None = None) -> bytes:
    """A message of the stream itself (`ready`, `resync`), numbered like the member's messages."""
    retry = f"retry: {retry_ms}{SEP}".encode() if retry_ms is not None else b""
    return retry + frame(seq, event_body(event, data))


class EventStream(Response):
    """Streams `frames` until they end, the client hangs up (then `hang_up()` is called, which must
    make `frames` end), or a send times out."""

    media_type = "text/event-stream"

    def __init__(
        self,
        frames: AsyncGenerator[bytes, None],
        *,
        hang_up: Callable[[], None],
        send_timeout_s: float,
        status_code: int = 200,  # the only one; FastAPI reads the OpenAPI document's from here
    ) -> None:
        self.frames = frames
        self.hang_up = hang_up
        self.send_timeout_s = send_timeout_s
        self.status_code = status_code
        self.background = None
        self.raw_headers = list(HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        watcher = asyncio.ensure_future(self._until_hang_up(receive))
        try:
            async for chunk in self.frames:
                try:
                    async with asyncio.timeout(self.send_timeout_s):
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                except TimeoutError:
                    log.info("stream.send_timed_out", timeout_s=self.send_timeout_s)
                    return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            await self.frames.aclose()  # its cleanup runs now, however the stream ended

    async def _until_hang_up(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.hang_up()


class StreamRoute(APIRoute):
    """A route whose endpoint returns an `EventStream`: matched and documented as FastAPI does, its
    parameters and dependencies read and checked by FastAPI's own `solve_dependencies`; then the
    stream runs with nothing of FastAPI's around it.

    Around every response FastAPI keeps the request's two exit stacks (closed after the response, for
    dependencies with `yield`), an exception wrapper and their frames for as long as the response
    runs: nothing for a response of milliseconds, a few KB on each of thousands of streams held open
    for hours. A stream's dependencies cannot use `yield` (refused here), so their exit stacks are
    closed before it starts. Errors before the stream starts reach the app's handlers as any
    route's do. Its router must be included without a prefix or dependencies of its own: the
    route solves its own dependencies, for its own path."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        held = [d.call for d in _dependencies(self.dependant) if _holds_until_response_ends(d.call)]
        if held:
            raise TypeError(f"a stream's dependencies cannot use `yield`: {held}")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            raise HTTPException(405, headers={"Allow": ", ".join(sorted(self.methods))})
        response = await self._response(scope, receive, send)  # its frame is gone once it returns
        await response(scope, receive, send)

    async def _response(self, scope: Scope, receive: Receive, send: Send) -> Response:
        async with AsyncExitStack() as inner, AsyncExitStack() as function:
            scope["fastapi_inner_astack"], scope["fastapi_function_astack"] = inner, function
            solved = await solve_dependencies(
                request=Request(scope, receive, send),
                dependant=self.dependant,
                # the app's overrides, as for any route of the app (tests use them)
                dependency_overrides_provider=scope.get("app"),
                async_exit_stack=inner,
                embed_body_fields=False,
            )
            if solved.errors:
                raise RequestValidationError(solved.errors)
            response: Response = await self.endpoint(**solved.values)
        del scope["fastapi_inner_astack"], scope["fastapi_function_astack"]
        return response


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _holds_until_response_ends(call: Callable[..., Any] | None) -> bool:
    return inspect.isgeneratorfunction(call) or inspect.isasyncgenfunction(call)
