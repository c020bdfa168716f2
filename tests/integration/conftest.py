"""Integration tests: one service against a real Postgres, in a database of their own."""

import asyncpg
import pytest

from scripts.stack.processes import Stack
from shared.db import create_engine, session_factory

DATABASE = "giftflow_it"


@pytest.fixture(scope="session")
def it_database(postgres: Stack) -> str:
    postgres.migrate(DATABASE)
    return DATABASE


@pytest.fixture(scope="session")
def service_url(postgres: Stack, it_database: str):
    """The SQLAlchemy URL a service uses, logged in as its own role."""
    return lambda service: postgres.t.service_database_url(service, it_database)


@pytest.fixture
async def sessions_for(service_url):
    engines = []

    def make(service: str):
        engine = create_engine(service_url(service), pool_size=5)
        engines.append(engine)
        return session_factory(engine)

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture
async def admin_db(postgres: Stack, it_database: str):
    """A superuser connection to the integration database, to look across schemas."""
    conn = await asyncpg.connect(postgres.t.database_dsn(it_database))
    yield conn
    await conn.close()
