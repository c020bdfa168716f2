"""Free text as PostgreSQL can store it: a NUL character or a lone surrogate is the caller's mistake
(a 422 naming the field), not a database error."""

from typing import Annotated

from pydantic import AfterValidator


def _storable(value: str | None) -> str | None:
    if value is None:
        return value
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Storable = AfterValidator(_storable)
FreeText = Annotated[str, Storable]
