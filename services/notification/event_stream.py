"""The live stream's HTTP response: `text/event-stream`, a `shared.streams.ByteStream`.

Heartbeats come from the hub's one timer (a wake of the stream, not a pinger task per stream). A
general-purpose SSE response keeps a task group of four per stream, with a cancel scope per send:
about 39 KB per idle stream in a bare app, against 23 KB this way (3,000 idle streams, RSS of the
serving process).

Frames arrive encoded (`stream_messages.frame` and the helpers below); a send that takes longer than
the send timeout ends the stream (a client that stopped reading; it reconnects and replays).
"""

from collections.abc import AsyncGenerator, Callable

from services.notification.stream_messages import SEP, event_body, frame
from shared.streams import ByteStream

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


class EventStream(ByteStream):
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
        super().__init__(
            frames,
            headers=list(HEADERS),
            send_timeout_s=send_timeout_s,
            hang_up=hang_up,
            status_code=status_code,
        )
