"""Text as people type it and PostgreSQL can store it.

Control characters are refused in every text field, with a message naming the field: a NUL cannot be
stored at all (it was a database error, a 500), and the others (escape sequences, backspaces) only
ever arrive by mistake or by mischief and end up in other members' notifications and logs. Notes and
comments keep line breaks and tabs; names and titles are one line. A lone surrogate is not text.
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

BREAKS = frozenset("\t\n\r")


def control_character(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control character in `value` that is not `allowed`, or None."""
    for char in value:
        if char not in allowed and unicodedata.category(char) == "Cc":
            return char
    return None


def without_control_characters(value: str) -> str:
    """Text from elsewhere (a shop's page) made fit to keep: its control characters dropped."""
    return "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cs"))


def _checked(value: str | None, allowed: frozenset[str], what: str) -> str | None:
    if value is None:
        return value
    char = control_character(value, allowed)
    if char is not None:
        raise ValueError(f"must not contain control characters ({what}); found {char!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _one_line(value: str | None) -> str | None:
    return _checked(value, frozenset(), "nor line breaks or tabs")


def _lines(value: str | None) -> str | None:
    return _checked(value, BREAKS, "line breaks and tabs are fine")


OneLine = AfterValidator(_one_line)
Storable = AfterValidator(_lines)
Line = Annotated[str, OneLine]
"""A name or a title: one line, no control characters."""
FreeText = Annotated[str, Storable]
"""Notes and comments: several lines, no other control characters."""
