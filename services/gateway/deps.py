"""FastAPI dependencies of the gateway: the only way routes get what they need.

Authorization building blocks for every household-scoped route (`/api/households/{household_id}/...`):

    async def list_things(member: CurrentMember, session: SessionDep): ...   # any member
    async def delete_thing(admin: AdminMember, session: SessionDep): ...     # admins only

A household the caller does not belong to answers 404, exactly like one that does not exist.
"""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.config import Settings
from services.gateway.models.households import Member, Role
from shared.caller import CurrentCaller
from shared.errors import Forbidden, NotFound

# the request's session, closed once its answer is out
from shared.request_sessions import SessionDep as SessionDep


# every dependency here is `async def` although none waits: FastAPI runs a plain `def` one on a worker
# thread, a hop per request that costs more than the work itself
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

# the caller as their access token proves them (shared by every service that serves people)
CurrentUser = CurrentCaller


# with the role, the people linked to the caller: nearly every use case asks who the caller is to the
# surprise rules, and one query here saves one there
MEMBERSHIP = """
    SELECT m.role,
           (SELECT array_agg(p.id) FROM gateway.person p
             WHERE p.household_id = m.household_id AND p.linked_user_id = m.user_id) AS person_ids
      FROM gateway.membership m
     WHERE m.household_id = $1 AND m.user_id = $2
    """


async def load_member(
    engine: AsyncEngine, household_id: uuid.UUID, user_id: uuid.UUID
) -> Member | None:
    """The member `user_id` of the household, with the people linked to them, or None.

    Asked on every request of every household route, so it is one statement on a pooled connection,
    straight through the driver (its prepared statement kept by the connection), outside any
    transaction: through a session it cost a BEGIN and a COMMIT around it and more Python than the
    read itself. The use case then runs in a session of its own."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        row = await raw.driver_connection.fetchrow(MEMBERSHIP, household_id, user_id)
    if row is None:
        return None
    role, person_ids = row
    return Member(
        user_id=user_id,
        household_id=household_id,
        role=Role(role),
        person_ids=frozenset(person_ids or ()),
    )


async def get_current_member(
    household_id: uuid.UUID, user: CurrentUser, request: Request
) -> Member:
    member = await load_member(request.app.state.engine, household_id, user.id)
    if member is None:
        raise NotFound("No such household.")
    return member


CurrentMember = Annotated[Member, Depends(get_current_member)]


async def get_admin_member(member: CurrentMember) -> Member:
    if not member.is_admin:
        raise Forbidden("Only an admin of this household can do that.")
    return member


AdminMember = Annotated[Member, Depends(get_admin_member)]
