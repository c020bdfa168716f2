"""Who is asking (shared.caller: the Bearer header, or the gf_access cookie an EventSource sends), and
their membership of the household in the path, from this service's own read model."""

import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from services.notification import readmodel
from shared.caller import CurrentCaller
from shared.errors import NotFound


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


async def get_member(household_id: uuid.UUID, request: Request, caller: CurrentCaller) -> Member:
    # a short session of its own: a stream must not hold a database connection while it is open
    async with request.app.state.sessions() as session:
        known = await readmodel.is_member(session, household_id, caller.id)
    if not known:
        raise NotFound("No such household.")
    return Member(household_id, caller.id, caller.signed_in_until)


CurrentMember = Annotated[Member, Depends(get_member)]
