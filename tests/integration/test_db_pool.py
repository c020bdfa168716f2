"""The connection pool never hands out a connection the server has closed (a restart, an admin's kill)."""

import asyncio

from sqlalchemy import text

from shared.db import create_engine


async def test_a_connection_the_server_closed_is_replaced_not_handed_out(service_url, admin_db):
    engine = create_engine(service_url("gateway"), pool_size=1)
    try:
        async with engine.connect() as conn:
            first = await conn.scalar(text("SELECT pg_backend_pid()"))
        # the one pooled connection is killed while it waits in the pool
        assert await admin_db.fetchval("SELECT pg_terminate_backend($1)", first)
        for _ in range(100):  # the client side learns of it when its socket is closed
            if not await admin_db.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)

        async with engine.connect() as conn:
            second = await conn.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        await engine.dispose()
