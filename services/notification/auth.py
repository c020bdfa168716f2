"""Who is asking: the gateway's access token (Bearer header, or the gf_access cookie an EventSource
sends), and their membership of the household in the path, from this service's own read model."""

import uuid
from dataclasses import dataclass, field
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from services.notification import readmodel
from shared.errors import NotFound, Unauthorized
from shared.tokens import ACCESS_COOKIE, LEEWAY_S, InvalidToken, read_access_token

_bearer = HTTPBearer(
    auto_error=False, description="The access token from sign-up, login or refresh."
)
_cookie = APIKeyCookie(
    name=ACCESS_COOKIE, auto_error=False, description="Set by sign-up, login and refresh."
)


@dataclass(frozen=True)
class Member:
    household_id: uuid.UUID
    user_id: uuid.UUID
    # when the caller's sign-in stops being good (epoch seconds): an open stream ends then, and its
    # reconnect needs a fresh token
    signed_in_until: float = field(default=float("inf"), compare=False)

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID]:
        return self.household_id, self.user_id


def authenticate(
    request: Request, bearer: HTTPAuthorizationCredentials | None, cookie: str | None
) -> tuple[uuid.UUID, float]:
    """The caller's user id and until when their token is accepted."""
    token = bearer.credentials if bearer else cookie
    if not token:
        raise Unauthorized(
            "Please sign in: this needs an access token (Authorization: Bearer, or the login cookie)."
        )
    try:
        user_id = read_access_token(token, request.app.state.settings.jwt_secret.get_secret_value())
    except InvalidToken:
        raise Unauthorized(
            "Your sign-in has expired or is not valid; refresh it or sign in again."
        ) from None
    # already verified above; only its expiry is read here
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    return user_id, expires + LEEWAY_S


async def get_member(
    household_id: uuid.UUID,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Member:
    user_id, signed_in_until = authenticate(request, bearer, cookie)
    # a short session of its own: a stream must not hold a database connection while it is open
    async with request.app.state.sessions() as session:
        known = await readmodel.is_member(session, household_id, user_id)
    if not known:
        raise NotFound("No such household.")
    return Member(household_id, user_id, signed_in_until)


CurrentMember = Annotated[Member, Depends(get_member)]
