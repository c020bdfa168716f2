"""The audit service, as it starts, makes the audit log's partition for this month and for the months
ahead it promises (AUDIT_MONTHS_AHEAD): a deploy long after the last migration still has a place for
every entry it records."""

from datetime import UTC, datetime

import asyncpg
import pytest
from dateutil.relativedelta import relativedelta

from scripts.stack.processes import Stack
from services.audit.config import Settings
from services.audit.main import create_app
from tests.system.conftest import eventually


@pytest.fixture
async def scratch_db(postgres: Stack, scratch_database: str):
    """A superuser connection to the scratch database: its partitions are this test's to drop."""
    conn = await asyncpg.connect(postgres.t.database_dsn(scratch_database))
    yield conn
    await conn.close()


async def partitions(db: asyncpg.Connection) -> set[str]:
    rows = await db.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'audit.audit_entry'::regclass"
    )
    return {r["relname"] for r in rows}


async def test_starting_the_service_makes_this_months_partition_and_those_it_promises_ahead(
    postgres: Stack, scratch_database: str, scratch_db: asyncpg.Connection
):
    for name in await partitions(
        scratch_db
    ):  # as if the migration that made the first ones ran long ago
        await scratch_db.execute(f'DROP TABLE audit."{name}"')
    assert await partitions(scratch_db) == set()

    settings = Settings(
        database_url=postgres.t.service_database_url("audit", scratch_database), db_pool_size=2
    )
    today = datetime.now(UTC).date()
    promised = {
        f"audit_entry_{today + relativedelta(months=m):%Y_%m}"
        for m in range(settings.audit_months_ahead + 1)
    }
    app = create_app(settings)

    async def all_promised_made() -> bool:
        return promised <= await partitions(scratch_db)

    async with app.router.lifespan_context(app):  # the startup uvicorn runs
        await eventually(all_promised_made, f"{sorted(promised)} made at startup")

    # an entry recorded now has its place
    landed = await scratch_db.fetchval(
        "WITH e AS (INSERT INTO audit.audit_entry (recorded_at, event_id, event_type, data) "
        "VALUES (now(), gen_random_uuid(), 'giftflow.test.v1', '{}') RETURNING tableoid) "
        "SELECT tableoid::regclass::text FROM e"
    )
    assert landed.split(".")[-1] == f"audit_entry_{today:%Y_%m}"
