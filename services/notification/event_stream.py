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
"""

import asyncio
from collections.abc import AsyncGenerator, Callable

import structlog
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
