"""The connection pool never hands out a connection the server has closed (a restart, an admin's kill),
never acknowledges a commit that is not on disk, and tells a database that cannot be reached (worth
trying again) apart from one that refuses a statement."""

import asyncio

from sqlalchemy import text

from shared.db import create_engine, database_unavailable, read_connection, session_factory


async def test_a_connection_the_server_closed_is_replaced_not_handed_out(service_url, admin_db):
    engine = create_engine(service_url("gateway"), pool_size=1)
    try:
        async with engine.connect() as conn:
            first = await conn.scalar(text("SELECT pg_backend_pid()"))
        # the one pooled connection is killed while it waits in the pool
        assert await admin_db.fetchval("SELECT pg_terminate_backend($1)", first)
        for _ in range(100):  # the client side learns of it when its socket is closed
            if not await admin_db.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first
            ):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)

        async with engine.connect() as conn:
            second = await conn.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        await engine.dispose()


async def test_a_service_commits_durably_even_where_the_server_is_set_not_to(
    service_url, admin_db, it_database
):
    await admin_db.execute(
        f'ALTER ROLE gateway IN DATABASE "{it_database}" SET synchronous_commit = off'
    )
    engine = create_engine(service_url("gateway"), pool_size=1)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SHOW synchronous_commit")) == "on"
    finally:
        await engine.dispose()
        await admin_db.execute(
            f'ALTER ROLE gateway IN DATABASE "{it_database}" RESET synchronous_commit'
        )


async def failure_of(engine, statement: str, **params) -> Exception:
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement), params)
    except Exception as error:  # noqa: BLE001 - what is raised is what is looked at
        return error
    raise AssertionError(f"{statement} did not fail")


async def test_a_database_that_cannot_be_reached_is_told_apart_from_one_that_refuses_a_statement(
    service_url, postgres, admin_db, it_database
):
    closed_port = service_url("gateway").replace(f":{postgres.t.postgres_port}/", ":9/")
    unreachable = create_engine(closed_port, pool_size=1)
    engine = create_engine(service_url("gateway"), pool_size=1)
    try:
        assert database_unavailable(await failure_of(unreachable, "SELECT 1"))
        assert not database_unavailable(
            await failure_of(engine, "SELECT CAST(:v AS jsonb)", v='{"a": "\\u0000"}')
        )
        assert not database_unavailable(await failure_of(engine, "SELECT 1 / 0"))
        await admin_db.execute("ALTER ROLE gateway NOLOGIN")
        try:
            await engine.dispose()  # a new connection is refused to the role
            assert database_unavailable(await failure_of(engine, "SELECT 1"))
        finally:
            await admin_db.execute("ALTER ROLE gateway LOGIN")
    finally:
        await unreachable.dispose()
        await engine.dispose()


async def test_the_gateway_answers_503_with_a_retry_after_while_its_database_cannot_be_reached(
    service_url, postgres
):
    import httpx

    from services.gateway.config import Settings
    from services.gateway.main import create_app

    closed_port = service_url("gateway").replace(f":{postgres.t.postgres_port}/", ":9/")
    app = create_app(Settings(database_url=closed_port, db_pool_size=1))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            response = await client.post(
                "/api/auth/signup",
                json={
                    "email": "ann@example.com",
                    "password": "correct horse battery",
                    "display_name": "Ann",
                },
            )
    finally:
        await app.state.engine.dispose()
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "unavailable" and error["details"]["retry_after_s"] >= 1
    assert response.headers["retry-after"] == str(error["details"]["retry_after_s"])


async def test_the_health_check_the_sidecar_uses_fails_while_the_database_refuses_the_service(
    service_url, admin_db
):
    import httpx

    from services.audit.config import Settings
    from services.audit.main import create_app

    app = create_app(Settings(database_url=service_url("audit"), db_pool_size=1))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
            assert (await client.get("/healthz/database")).status_code == 200
            await admin_db.execute("ALTER ROLE audit NOLOGIN")
            try:
                await admin_db.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'audit'"
                )
                down = await client.get("/healthz/database")
                assert down.status_code == 503 and down.json()["checks"] == {"database": "down"}
                assert (
                    await client.get("/healthz")
                ).status_code == 200  # alive: no reason to restart it
            finally:
                await admin_db.execute("ALTER ROLE audit LOGIN")
            assert (await client.get("/healthz/database")).status_code == 200
    finally:
        await app.state.engine.dispose()


async def test_a_fresh_connection_reads_records_that_nest_arrays_from_its_first_statement(
    service_url,
):
    # the single-statement reads return ROW(…, array_agg(…)): on a connection that had never seen the
    # array type as a column, asyncpg could not decode it (a dashboard answered 500 after a restart)
    engine = create_engine(service_url("gateway"), pool_size=1)
    try:
        async with engine.connect() as conn:
            row = await conn.scalar(
                text(
                    "SELECT ROW(ARRAY[gen_random_uuid()], ARRAY['a'], ARRAY[1.5::numeric], "
                    "ARRAY[now()], ARRAY[current_date], ARRAY[1], ARRAY[1::int8], ARRAY[true])"
                )
            )
        assert [type(field[0]).__name__ for field in row] == [
            "UUID",
            "str",
            "Decimal",
            "datetime",
            "date",
            "int",
            "int",
            "bool",
        ]
    finally:
        await engine.dispose()


async def test_a_read_connection_runs_each_statement_on_its_own_and_leaves_the_pool_as_it_was(
    service_url,
):
    """No transaction around a read's statements: each is its own (the server's transaction start,
    `now()`, moves between them), and the connection goes back to the pool transactional again."""
    engine = create_engine(service_url("gateway"), pool_size=1)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            connection = await read_connection(session)
            first = await connection.scalar(text("SELECT now()"))
            second = await connection.scalar(text("SELECT now() FROM pg_sleep(0.01)"))
            assert second > first
        async with sessions() as session:  # the same pooled connection, in a transaction again
            first = await session.scalar(text("SELECT now()"))
            second = await session.scalar(text("SELECT now() FROM pg_sleep(0.01)"))
            assert second == first
    finally:
        await engine.dispose()
