"""The database session of a request: opened by the routes' dependency, closed once the response is sent.

A dependency with `yield` would do the same, but FastAPI keeps two exit stacks and a cancel scope around
each one for it: about a tenth of the CPU of a read that runs one statement. Here the dependency opens
the session and leaves it with the request; `CloseSessions`, a middleware every service has
(`shared.app`), closes what the request opened after the response went out, as FastAPI would have,
shielded from cancellation so a client hanging up cannot leave a connection checked out.

    async def route(session: SessionDep): ...
"""

from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

OPENED = "giftflow.sessions"  # the scope's list of sessions the request opened


async def request_session(request: Request) -> AsyncSession:
    """A new session of the app's database for this request, closed after its response."""
    session: AsyncSession = request.app.state.sessions()
    request.scope[OPENED].append(session)
    return session


SessionDep = Annotated[AsyncSession, Depends(request_session)]


class CloseSessions:
    """Closes, once the response is sent (or the request failed), every session the request opened:
    an open transaction is rolled back and the connection goes back to the pool."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        opened: list[AsyncSession] = []
        scope[OPENED] = opened
        try:
            await self.app(scope, receive, send)
        finally:
            if opened:
                with anyio.CancelScope(shield=True):
                    for session in opened:
                        await session.close()
