"""The occasion wrap-up loop: every WRAP_UP_INTERVAL_S, the occasions whose day is over go into the
history and the reveals that are due are announced (services/gateway/use_cases/wrap_up.py).

The gateway runs it beside its outbox relay (services/gateway/main.py), in every worker of every
replica: each household is wrapped up in one transaction under an advisory lock, so workers share the
households rather than doing them twice, and what one of them recorded or announced is never recorded
or announced again.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.gateway.use_cases.wrap_up import wrap_up
from shared.worker import Every, running


@asynccontextmanager
async def keep_wrapping_up(app: FastAPI) -> AsyncIterator[None]:
    sessions = app.state.sessions
    async with running(
        Every("wrap_up", lambda: wrap_up(sessions), app.state.settings.wrap_up_interval_s)
    ):
        yield
