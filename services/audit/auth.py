"""Who is asking: the gateway's access token (Bearer header or the gf_access cookie), and whether they
are an admin of the household in the path, from this service's own read model of memberships."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from services.audit.models import member
from shared.errors import Forbidden, NotFound, Unauthorized
from shared.tokens import ACCESS_COOKIE, InvalidToken, read_access_token

_bearer = HTTPBearer(
    auto_error=False, description="The access token from sign-up, login or refresh."
)
_cookie = APIKeyCookie(
    name=ACCESS_COOKIE, auto_error=False, description="Set by sign-up, login and refresh."
)


@dataclass(frozen=True)
class Admin:
    household_id: uuid.UUID
    user_id: uuid.UUID


async def get_admin(
    household_id: uuid.UUID,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Admin:
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
    async with request.app.state.sessions() as session:
        role = await session.scalar(
            select(member.c.role).where(
                member.c.household_id == household_id, member.c.user_id == user_id
            )
        )
    if role is None:
        raise NotFound("No such household.")
    if role != "admin":
        raise Forbidden("Only an admin of this household can read its audit log.")
    return Admin(household_id, user_id)


CurrentAdmin = Annotated[Admin, Depends(get_admin)]
