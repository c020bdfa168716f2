"""The hub's one read of many members' new messages (stream_messages.read_many) goes through the
stream's primary key whatever the planner believes of the table: with statistics taken while the
table was young, it once scanned the whole table for every member of a broadcast."""

import asyncpg
import pytest

from services.notification.stream_messages import _READ_MANY, read_many
from shared.db import create_engine
from tests.integration.test_notification_fanout import Family, new_family

# a planner that believes reading through an index costs ten thousand times a table scan: what
# misleading statistics amount to
INDEX_LOOKS_COSTLY = (
    "SET random_page_cost = 10000; SET seq_page_cost = 1; SET cpu_index_tuple_cost = 100"
)


@pytest.fixture
async def family(sessions_for) -> Family:
    return await new_family(sessions_for("notification"))


async def plans_of(driver: asyncpg.Connection, run) -> str:
    """The plans of the statements `run` makes on `driver`, as auto_explain reports them."""
    notices: list[str] = []

    def listen(_conn, message) -> None:
        notices.append(message.message)

    driver.add_log_listener(listen)
    try:
        await run()
        # notices reach listeners through the event loop: once a later statement has answered,
        # those of `run` have been handed over
        await driver.fetchval("SELECT 1")
    finally:
        driver.remove_log_listener(listen)
    return "\n".join(notices)


async def test_the_hubs_read_goes_through_the_primary_key_whatever_the_planner_believes(
    family: Family, postgres, it_database
):
    admin = postgres.t.database_dsn(it_database).replace("postgresql://", "postgresql+asyncpg://")
    engine = create_engine(admin, pool_size=1)
    after = {(family.household_id, member): 0 for member in (family.ann, family.ben, family.dad)}
    keys = list(after)
    try:
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            await driver.execute(
                "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; "
                "SET auto_explain.log_level = 'notice'; " + INDEX_LOOKS_COSTLY
            )
            # the same statement as the planner alone would run it: a table scan per member
            alone = await plans_of(
                driver,
                lambda: driver.fetch(
                    _READ_MANY, [k[0] for k in keys], [k[1] for k in keys], [0] * len(keys)
                ),
            )
            hubs = await plans_of(driver, lambda: read_many(conn, after))
    finally:
        await engine.dispose()
    assert "Seq Scan on stream_message" in alone
    assert "Index Scan using pk_stream_message on stream_message" in hubs
    assert "Seq Scan on stream_message" not in hubs
