"""Who is asking: the user the gateway's access token was issued to, verified without a database
round trip, the same way in every service that serves people.

The token comes as `Authorization: Bearer`, or in the `gf_access` cookie that browsers send (an
EventSource sends no headers). Whether the caller belongs to the household in the path is each
service's own question, asked of what it knows of households.
"""

from dataclasses import dataclass, field
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import Unauthorized
from shared.tokens import ACCESS_COOKIE, InvalidToken, read_access

# auto_error=False: a missing credential is answered by us, in the error envelope
_bearer = HTTPBearer(
    auto_error=False, description="The access token from sign-up, login or refresh."
)
_cookie = APIKeyCookie(
    name=ACCESS_COOKIE, auto_error=False, description="Set by sign-up, login and refresh."
)


@dataclass(frozen=True)
class Caller:
    """The caller, as proven by their access token."""

    id: UUID
    # when their sign-in stops being good (epoch seconds): an open stream ends then, and its
    # reconnect needs a fresh token
    signed_in_until: float = field(default=float("inf"), compare=False)


# `async def` although it does not wait: FastAPI runs a plain `def` dependency on a worker thread
async def get_caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Caller:
    token = bearer.credentials if bearer else cookie
    if not token:
        raise Unauthorized(
            "Please sign in: this needs an access token (Authorization: Bearer, or the login cookie)."
        )
    try:
        access = read_access(token, request.app.state.settings.jwt_secret.get_secret_value())
    except InvalidToken:
        raise Unauthorized(
            "Your sign-in has expired or is not valid; refresh it or sign in again."
        ) from None
    return Caller(access.user_id, access.good_until)


CurrentCaller = Annotated[Caller, Depends(get_caller)]
