"""Answers that a read composed itself from plain rows: encoded once by orjson, not validated again
against the route's response model (which still documents them in the OpenAPI document)."""

import uuid
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Response

# like pydantic's JSON: UTC times end in Z, amounts are strings ("12.50")
OPTIONS = orjson.OPT_UTC_Z


def _other(value: Any) -> str:
    # ids straight from the driver are its own UUID class, which orjson does not take for uuid.UUID
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_response(content: Any) -> Response:
    return Response(
        orjson.dumps(content, default=_other, option=OPTIONS), media_type="application/json"
    )
