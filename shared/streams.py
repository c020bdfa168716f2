"""Responses that stay open for hours — the live stream, and the gateway passing it on — and the route
that serves them.

A replica holds thousands of streams, idle nearly all their lives, so each costs what it must and no
more. `ByteStream` is written by the request's own task; its only other task waits for the client to
hang up, since ASGI tells that only through `receive`. A general-purpose streaming response keeps a
task group (two tasks and their cancel scopes) per stream, and a server-sent-events one four.
`StreamRoute` has FastAPI read a stream's parameters and dependencies, then runs the response without
what FastAPI keeps around every response for as long as it runs.
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

log = structlog.get_logger()


class ByteStream(Response):
    """Sends `chunks` until they end, the client hangs up, or a send takes longer than `send_timeout_s`
    (a client that stopped reading: the server then closes the connection the response left
    unfinished).

    When the client hangs up, `hang_up()` is called, which must make `chunks` end; without one, the
    wait for the next chunk is cancelled (the chunks' generator sees `CancelledError` and cleans up)
    and the response ends quietly. Either way the generator is closed before the response returns."""

    def __init__(
        self,
        chunks: AsyncGenerator[bytes, None],
        *,
        headers: list[tuple[bytes, bytes]],
        send_timeout_s: float,
        hang_up: Callable[[], None] | None = None,
        status_code: int = 200,
    ) -> None:
        self.chunks = chunks
        self.hang_up = hang_up
        self.send_timeout_s = send_timeout_s
        self.status_code = status_code
        self.background = None
        self.raw_headers = headers
        self._cancelled_for_hang_up = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        task = asyncio.current_task()
        assert task is not None
        watcher = asyncio.ensure_future(self._until_hang_up(receive, task))
        try:
            async for chunk in self.chunks:
                try:
                    async with asyncio.timeout(self.send_timeout_s):
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                except TimeoutError:
                    log.info("stream.send_timed_out", timeout_s=self.send_timeout_s)
                    return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            # cancelled by `_until_hang_up`: the client has gone, the stream is over; any other
            # cancellation (the server stopping) goes on, also when it came with a hang-up
            if not self._cancelled_for_hang_up or task.uncancel() > 0:
                raise
        finally:
            watcher.cancel()
            await self.chunks.aclose()  # its cleanup runs now, however the stream ended

    async def _until_hang_up(self, receive: Receive, task: asyncio.Task) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        if self.hang_up is not None:
            self.hang_up()
        else:
            self._cancelled_for_hang_up = True
            task.cancel()


class StreamRoute(APIRoute):
    """A route whose endpoint returns a `ByteStream`: matched and documented as FastAPI does, its
    parameters and dependencies read and checked by FastAPI's own `solve_dependencies`; then the
    stream runs with nothing of FastAPI's around it.

    Around every response FastAPI keeps the request's two exit stacks (closed after the response, for
    dependencies with `yield`), an exception wrapper and their frames for as long as the response
    runs: nothing for a response of milliseconds, a few KB on each of thousands of streams held open
    for hours. A stream's dependencies cannot use `yield` (refused here), so their exit stacks are
    closed before it starts. Errors before the stream starts reach the app's handlers as any
    route's do. Its router must be included without dependencies of its own: the route solves
    its own."""

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
