"""The OpenAPI document says what a service really answers: besides each route's own responses, any
operation may answer a client error (4XX) in the one error envelope, and 503 with Retry-After while
something it depends on (its database, another service) is briefly down. A 500 is never documented:
a client that meets one has found a bug."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.errors import ErrorResponse

REF = "#/components/schemas/{model}"
ENVELOPE = {"application/json": {"schema": {"$ref": REF.format(model="ErrorResponse")}}}
COMMON = {
    "4XX": {
        "description": "The request cannot be done as sent; `error.message` says why and what to do.",
        "content": ENVELOPE,
    },
    "503": {
        "description": "Briefly unavailable (a dependency is down); try again after `Retry-After` seconds.",
        "content": ENVELOPE,
    },
}


def with_common_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the envelope's model and the common responses on every operation."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    envelope = ErrorResponse.model_json_schema(ref_template=REF)
    components.update(envelope.pop("$defs", {}))
    components.setdefault("ErrorResponse", envelope)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                for status, response in COMMON.items():
                    operation["responses"].setdefault(status, response)
    return schema


def document_common_responses(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_common_responses(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
