"""A path with a `.` or `..` segment, however it is spelled, names nothing the gateway serves.

Browsers and HTTP libraries resolve dot segments before they send a request, so only a crafted request
still has them (`curl --path-as-is`; `%2e%2e`, which the server decodes to `..`). Routing never resolves
them, but the web client's static files would, and so would any server a path were passed on to —
some after decoding once more (`%252e%252e`), dropping `;` parameters (`..;/`) or reading `\\` as `/`.
Answering 404 before any route sees such a path closes that whole way round, whatever the method.
Every path parameter of the API is a UUID, so no real request is refused.
"""

import re
from collections.abc import Iterator
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.errors import envelope

DOT_SEGMENTS = frozenset({".", ".."})
SEPARATORS = re.compile(r"[/\\]")
MAX_DECODINGS = 3  # beyond %25252e nothing decodes that often


def _readings(path: str) -> Iterator[str]:
    """The path as the server decoded it, and as one decoding it again (and again) would read it."""
    yield path
    for _ in range(MAX_DECODINGS):
        path = unquote(path)
        yield path


def has_dot_segment(path: str) -> bool:
    """Whether some reading of the (once percent-decoded) path has a `.` or `..` segment."""
    return any(
        segment.split(";", 1)[0] in DOT_SEGMENTS
        for reading in _readings(path)
        for segment in SEPARATORS.split(reading)
    )


class RefuseDotSegments:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and has_dot_segment(scope["path"]):
            await envelope(404, "not_found", "There is nothing at this address.")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)
