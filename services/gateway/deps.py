"""FastAPI dependencies of the gateway: the only way routes get what they need.

Authorization building blocks for every household-scoped route (`/api/households/{household_id}/...`):

    async def list_things(member: CurrentMember, session: SessionDep): ...   # any member
    async def delete_thing(admin: AdminMember, session: SessionDep): ...     # admins only

A household the caller does not belong to answers 404, exactly like one that does not exist.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.config import Settings
from services.gateway.models.households import Member, Membership, Role
from services.gateway.models.people import Person
from shared.errors import Forbidden, NotFound, Unauthorized
from shared.tokens import ACCESS_COOKIE, InvalidToken, read_access_token


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


# every dependency here is `async def` although none waits: FastAPI runs a plain `def` one on a worker
# thread, a hop per request that costs more than the work itself
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

# auto_error=False: a missing credential is answered by us, in the error envelope
_bearer = HTTPBearer(
    auto_error=False, description="The access token from sign-up, login or refresh."
)
_cookie = APIKeyCookie(
    name=ACCESS_COOKIE, auto_error=False, description="Set by sign-up, login and refresh."
)


@dataclass(frozen=True)
class AuthenticatedUser:
    """The caller, as proven by their access token (verified without a database round trip)."""

    id: uuid.UUID


async def get_current_user(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> AuthenticatedUser:
    token = bearer.credentials if bearer else cookie
    if not token:
        raise Unauthorized(
            "Please sign in: this needs an access token (Authorization: Bearer, or the login cookie)."
        )
    try:
        return AuthenticatedUser(read_access_token(token, settings.jwt_secret.get_secret_value()))
    except InvalidToken:
        raise Unauthorized(
            "Your sign-in has expired or is not valid; refresh it or sign in again."
        ) from None


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]


async def get_current_member(
    household_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> Member:
    # with the role, the people linked to the caller: nearly every use case asks who the caller is to the
    # surprise rules, and one query here saves one there
    linked = (
        select(func.array_agg(Person.id))
        .where(
            Person.household_id == Membership.household_id,
            Person.linked_user_id == Membership.user_id,
        )
        .scalar_subquery()
    )
    async with session.begin():  # its own short transaction: the use case then begins its own
        row = (
            await session.execute(
                select(Membership.role, linked).where(
                    Membership.household_id == household_id, Membership.user_id == user.id
                )
            )
        ).first()
    if row is None:
        raise NotFound("No such household.")
    role, person_ids = row
    return Member(
        user_id=user.id,
        household_id=household_id,
        role=Role(role),
        person_ids=frozenset(person_ids or ()),
    )


CurrentMember = Annotated[Member, Depends(get_current_member)]


async def get_admin_member(member: CurrentMember) -> Member:
    if not member.is_admin:
        raise Forbidden("Only an admin of this household can do that.")
    return member


AdminMember = Annotated[Member, Depends(get_admin_member)]
