"""One JSON error envelope for every 4xx/5xx: `{"error": {"code", "message", "details"}}`."""

from http import HTTPStatus
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from shared.db import database_unavailable

log = structlog.get_logger()


class AppError(Exception):
    """A caller-facing error: its status, a stable code and a message a person can act on."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message, details, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Gone(AppError):
    status_code = 410
    code = "gone"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(
            message, {"retry_after_s": retry_after_s}, headers={"Retry-After": str(retry_after_s)}
        )


class Unavailable(AppError):
    """We cannot serve this right now (the database is down or restarting): the caller may try again
    after `retry_after_s`, and nothing it sent was acknowledged."""

    status_code = 503
    code = "unavailable"

    def __init__(
        self,
        message: str = "We cannot serve this right now; please try again in a few seconds.",
        retry_after_s: int = 2,
    ) -> None:
        super().__init__(
            message, {"retry_after_s": retry_after_s}, headers={"Retry-After": str(retry_after_s)}
        )


# what the database layer raises (a refused connection comes as a bare OSError); what says the database
# cannot be reached is a 503, the rest a 500 like any bug
DATABASE_ERRORS = (
    OSError,
    TimeoutError,
    SQLAlchemyError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


class InvalidInput(AppError):
    """A request that is well-formed but names something that cannot be used: a 422 like a field that
    fails validation, naming the field as FastAPI would (`title`, `query.cursor`)."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(
            f"Some fields are not valid: {field}", [{"field": field, "problem": problem}]
        )


class ErrorBody(BaseModel):
    code: str = Field(
        description="Stable and machine-readable, e.g. not_found, conflict, validation_failed."
    )
    message: str = Field(description="What went wrong, for a person to act on.")
    details: Any = Field(None, description="For validation_failed: a list of {field, problem}.")


class ErrorResponse(BaseModel):
    """The one shape of every 4xx and 5xx answer."""

    error: ErrorBody


ERROR_DESCRIPTIONS = {
    401: "Not signed in, or the sign-in has expired.",
    403: "Signed in and a member, but not allowed to do this.",
    404: "No such object in this household (another household's ids included), or not a member of it.",
    409: "The request conflicts with the current state; the message says what to do.",
    410: "gone: what the request names (a link, a code) was used or has expired; ask for a new one.",
    422: "validation_failed: `details` lists each field that is not valid and why.",
    429: "too_many_requests: asked too often; try again after `Retry-After` seconds.",
    503: "unavailable: the database cannot be reached right now; try again after `Retry-After` seconds.",
}


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` for routes whose errors come in the envelope (default: 401, 404, 422)."""
    return {
        s: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[s]}
        for s in statuses or (401, 404, 422)
    }


def envelope(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status)


def _code_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_")
    except ValueError:
        return "error"


def _field(loc: tuple) -> str:
    """A body field is named as the client sent it (`gift.title`, even `body` itself); others keep
    where they came from (`query.limit`)."""
    return ".".join(str(p) for p in (loc[1:] if loc[:1] == ("body",) else loc))


# what a validation error says, in words a person can act on rather than the validator's; by pydantic's
# error type, with its context (limits, choices) filled in
PROBLEMS = {
    "missing": "is required",
    "string_too_short": "is too short: at least {min_length} characters",
    "string_too_long": "is too long: at most {max_length} characters",
    "too_long": "has too many entries: at most {max_length}",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "decimal_parsing": "must be a number, like 12.50",
    "decimal_type": "must be a number, like 12.50",
    "float_parsing": "must be a number",
    "decimal_max_places": "can have at most {decimal_places} decimals",
    "decimal_max_digits": "is too large a number",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "uuid_parsing": "is not an id giftflow gave out",
    "uuid_type": "is not an id giftflow gave out",
    "date_parsing": "is not a date like 2027-04-30",
    "date_from_datetime_parsing": "is not a date like 2027-04-30",
    "datetime_parsing": "is not a date and time like 2027-04-30T18:00:00+02:00",
    "datetime_from_date_parsing": "is not a date and time like 2027-04-30T18:00:00+02:00",
    "json_invalid": "is not valid JSON",
    "string_type": "must be text",
    "list_type": "must be a list",
    "enum": "must be one of: {expected}",
    "literal_error": "must be one of: {expected}",
    "url_parsing": "is not a web address like https://shop.example/item",
    "value_error": "{error}",
}


def problem(err: dict) -> str:
    """One validation error in words: `is too long: at most 120 characters`, not the validator's text."""
    template = PROBLEMS.get(err.get("type", ""))
    if err.get("type") == "string_too_short" and (err.get("ctx") or {}).get("min_length") == 1:
        template = "cannot be empty"
    if template is None:
        return err["msg"]
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return err["msg"]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError) -> JSONResponse:
        response = envelope(exc.status_code, exc.code, exc.message, exc.details)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        response = envelope(exc.status_code, _code_for(exc.status_code), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": _field(tuple(err["loc"])), "problem": problem(err)} for err in exc.errors()
        ]
        fields = ", ".join(d["field"] or "body" for d in details)
        return envelope(422, "validation_failed", f"Some fields are not valid: {fields}", details)

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        if not database_unavailable(exc):
            return await unexpected(request, exc)
        log.warning("request.database_unavailable", error=repr(exc))
        return await app_error(request, Unavailable())

    # handled inside the middleware stack, so the request metrics see the 503 too
    for error_type in DATABASE_ERRORS:
        app.add_exception_handler(error_type, database_error)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("request.unhandled_error")
        return envelope(
            500, "internal_error", "Something went wrong on our side; please try again."
        )
