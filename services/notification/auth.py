"""Who is asking: the gateway's access token (Bearer header, or the gf_access cookie an EventSource
sends), and their membership of the household in the path, from this service's own read model."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from services.notification import readmodel
from shared.errors import NotFound, Unauthorized
from shared.tokens import ACCESS_COOKIE, InvalidToken, read_access_token

_bearer = HTTPBearer(auto_error=False, description="The access token from sign-up, login or refresh.")
_cookie = APIKeyCookie(name=ACCESS_COOKIE, auto_error=False, description="Set by sign-up, login and refresh.")


@dataclass(frozen=True)
class Member:
    household_id: uuid.UUID
    user_id: uuid.UUID

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID]:
        return self.household_id, self.user_id


def authenticate(request: Request, bearer: HTTPAuthorizationCredentials | None, cookie: str | None) -> uuid.UUID:
    token = bearer.credentials if bearer else cookie
    if not token:
        raise Unauthorized("Please sign in: this needs an access token (Authorization: Bearer, or the login cookie).")
    try:
        return read_access_token(token, request.app.state.settings.jwt_secret.get_secret_value())
    except InvalidToken:
        raise Unauthorized("Your sign-in has expired or is not valid; refresh it or sign in again.") from None


async def get_member(
    household_id: uuid.UUID,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Member:
    user_id = authenticate(request, bearer, cookie)
    # a short session of its own: a stream must not hold a database connection while it is open
    async with request.app.state.sessions() as session:
        known = await readmodel.is_member(session, household_id, user_id)
    if not known:
        raise NotFound("No such household.")
    return Member(household_id, user_id)


CurrentMember = Annotated[Member, Depends(get_member)]
