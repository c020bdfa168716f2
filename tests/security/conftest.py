"""The outside-in security suite runs against the whole stack of the system tests, started once per session.

Every request here carries a Bearer token (never a cookie), so one client can act as several members and
the gateway's cookie-only defences (Origin checks) are not what is being tested.
"""

import asyncpg
import httpx
import pytest

from scripts.stack.processes import Stack
from tests.system.conftest import eventually, stack  # noqa: F401 (the system tests' stack fixture, reused)

__all__ = ["eventually"]


@pytest.fixture(scope="session")
async def client(stack: Stack):  # noqa: F811
    """Who calls is said by the Authorization header alone: cookies a response sets are dropped at once."""
    async def forget_cookies(_: httpx.Response) -> None:
        client.cookies.clear()

    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30,
                                 event_hooks={"response": [forget_cookies]}) as client:
        yield client


@pytest.fixture(scope="session")
async def admin_db(stack: Stack):  # noqa: F811
    """A superuser connection, only to wait until consumers caught up and to find ids no API hands out."""
    conn = await asyncpg.connect(stack.t.database_dsn())
    yield conn
    await conn.close()
