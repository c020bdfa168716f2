"""Integration tests: one service against a real Postgres, in a database of their own."""

import asyncpg
import pytest

from scripts.stack.processes import Stack
from shared.db import create_engine, session_factory

DATABASE = "giftflow_it"
# for tests that act on a whole table other tests share (the relay publishes every pending outbox row
# it finds; the audit service makes and drops partitions for everyone)
SCRATCH_DATABASE = "giftflow_it_scratch"


@pytest.fixture(scope="session")
def it_database(postgres: Stack) -> str:
    postgres.migrate(DATABASE)
    return DATABASE


@pytest.fixture(scope="session")
def scratch_database(postgres: Stack) -> str:
    postgres.migrate(SCRATCH_DATABASE)
    return SCRATCH_DATABASE


@pytest.fixture(scope="session")
def service_url(postgres: Stack, it_database: str):
    """The SQLAlchemy URL a service uses, logged in as its own role."""
    return lambda service: postgres.t.service_database_url(service, it_database)


@pytest.fixture
async def engine_for(service_url):
    """An engine logged in as a service's own role; disposed after the test."""
    engines = []

    def make(service: str):
        engine = create_engine(service_url(service), pool_size=5)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture
def sessions_for(engine_for):
    return lambda service: session_factory(engine_for(service))


@pytest.fixture
async def admin_db(postgres: Stack, it_database: str):
    """A superuser connection to the integration database, to look across schemas."""
    conn = await asyncpg.connect(postgres.t.database_dsn(it_database))
    yield conn
    await conn.close()


@pytest.fixture
async def gateway_client(service_url):
    """The gateway's REST API in-process, on the integration database. The lifespan (and so the
    outbox relay) is not started: events stay in `gateway.outbox`, where tests can read them."""
    import httpx

    from services.gateway.config import Settings
    from services.gateway.main import create_app

    app = create_app(Settings(database_url=service_url("gateway"), db_pool_size=5))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://gateway.test",
    ) as client:
        yield client
    await app.state.engine.dispose()
