"""Query strings, checked once for every route of every service, before any route reads them.

A query parameter is text like any other, so a control character in it is refused (a NUL was a
database error), and the whole query string is bounded: a long one used to reach the gateway's sidecar,
which answered a plain-text 431 outside the error envelope. Each route bounds its own parameters
further (`max_length`); this is the floor under all of them, answered in the envelope as a 422.
"""

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.errors import envelope
from shared.validation.text import control_character

MAX_QUERY_LENGTH = 2048  # with a request's headers, well inside the 4 KB a Dapr sidecar reads


def query_problem(raw: bytes) -> tuple[str, str] | None:
    """(field, problem) for a query string no route should see, or None."""
    if len(raw) > MAX_QUERY_LENGTH:
        return "query", f"is longer than {MAX_QUERY_LENGTH} characters; ask for less at a time"
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if (char := control_character(name)) is not None:
            return "query", f"has a parameter name with a control character in it ({char!r})"
        if (char := control_character(value)) is not None:
            return f"query.{name[:60]}", f"must not contain control characters; found {char!r}"
    return None


class QueryGuard:
    """ASGI middleware answering 422 for a query string `query_problem` refuses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (problem := query_problem(scope.get("query_string", b""))):
            field, text = problem
            response = envelope(
                422,
                "validation_failed",
                f"Some fields are not valid: {field}",
                [{"field": field, "problem": text}],
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
