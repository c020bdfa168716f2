"""The outside-in security suite runs against the whole stack of the system tests, started once per session.

Every request here carries a Bearer token (never a cookie), so one client can act as several members and
the gateway's cookie-only defences (Origin checks) are not what is being tested.
"""

import asyncpg
import httpx
import pytest

from scripts.stack.processes import Stack
from tests.security.openapi import fetch_documents
from tests.system.conftest import stack  # noqa: F401 (the system tests' stack fixture, reused)


@pytest.fixture(scope="session")
async def client(stack: Stack):  # noqa: F811
    """Who calls is said by the Authorization header alone: cookies a response sets are dropped at once."""

    async def forget_cookies(_: httpx.Response) -> None:
        client.cookies.clear()

    async with httpx.AsyncClient(
        base_url=stack.t.gateway_url, timeout=30, event_hooks={"response": [forget_cookies]}
    ) as client:
        yield client


@pytest.fixture(scope="session")
async def admin_db(stack: Stack):  # noqa: F811
    """A superuser connection, only to wait until consumers caught up and to find ids no API hands out."""
    conn = await asyncpg.connect(stack.t.database_dsn())
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
def documents(stack: Stack) -> dict[str, dict]:  # noqa: F811
    """The OpenAPI documents of the running gateway and of the services it passes requests on to."""
    return fetch_documents(stack.t)
