"""Cursors of keyset pages: the last row's sort key, as base64url JSON, opaque to clients.

A cursor comes back from the client, so it is read as strictly as any other input: each value must
be of its column's kind and within what the column holds (an id a UUID string, a number a 64-bit
integer, a time with an offset whose UTC time exists), or the answer is a 422 naming
`query.cursor`, the same answer a malformed one gets from the query's own validation, never a
database error.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Query

from shared.errors import InvalidInput
from shared.validation.text import control_character

MAX_BIGINT = 2**63 - 1  # what a PostgreSQL bigint holds: sequence numbers and ids
MAX_LENGTH = 1024  # a 120-character name in any script and an id fit, with room to spare
ALPHABET = r"^[A-Za-z0-9_-]*$"
CURSOR_DOC = (
    "Opaque: the `next_cursor` of the previous page, as it was given. Anything else is answered "
    "422 (validation_failed, field query.cursor): start again without one."
)

CursorParam = Annotated[
    str | None, Query(max_length=MAX_LENGTH, pattern=ALPHABET, description=CURSOR_DOC)
]


class InvalidCursor(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "query.cursor", "is not a cursor this list gave out; start again without one"
        )


def _instant(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)  # TypeError for anything but a string
    if moment.tzinfo is None:
        raise ValueError("a cursor's times have an offset")
    return moment.astimezone(UTC)  # OverflowError when its UTC time is off the calendar


def _day(value: Any) -> date:
    return date.fromisoformat(value)


def _id(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise TypeError
    return uuid.UUID(value)


def _number(value: Any) -> int:
    if type(value) is not int or not -MAX_BIGINT <= value <= MAX_BIGINT:
        raise ValueError("a cursor's numbers are 64-bit integers")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or control_character(value) is not None:
        raise ValueError("a cursor's texts are text")
    value.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate
    return value


READERS: dict[type, Callable[[Any], Any]] = {
    datetime: _instant,
    date: _day,
    uuid.UUID: _id,
    int: _number,
    str: _text,
}


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(
        [
            v.isoformat() if isinstance(v, date) else v if isinstance(v, int) else str(v)
            for v in values
        ],
        ensure_ascii=False,
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The values of a cursor made by `encode_cursor` for a key of these kinds; InvalidCursor otherwise."""
    try:
        if len(cursor) > MAX_LENGTH:
            raise ValueError
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError
        return [READERS[kind](value) for kind, value in zip(kinds, raw, strict=True)]
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, RecursionError):
        raise InvalidCursor() from None
