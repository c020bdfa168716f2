"""Who is asking (shared.caller), and whether they are an admin of the household in the path, from this
service's own read model of memberships."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from services.audit.models import member
from shared.caller import CurrentCaller
from shared.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Admin:
    household_id: uuid.UUID
    user_id: uuid.UUID


async def get_admin(household_id: uuid.UUID, request: Request, caller: CurrentCaller) -> Admin:
    async with request.app.state.sessions() as session:
        role = await session.scalar(
            select(member.c.role).where(
                member.c.household_id == household_id, member.c.user_id == caller.id
            )
        )
    if role is None:
        raise NotFound("No such household.")
    if role != "admin":
        raise Forbidden("Only an admin of this household can read its audit log.")
    return Admin(household_id, caller.id)


CurrentAdmin = Annotated[Admin, Depends(get_admin)]
