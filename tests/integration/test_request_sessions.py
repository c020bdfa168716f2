"""A request's database session goes back to the pool once its answer is out: after a read, after a
route that failed mid-transaction, and after a request cancelled while it held a connection."""

import asyncio

import anyio
import pytest
from fastapi import APIRouter
from sqlalchemy import text

from services.gateway.config import Settings
from shared.app import create_service_app
from shared.request_sessions import SessionDep

router = APIRouter()
holding = asyncio.Event()


@router.get("/read")
async def read(session: SessionDep):
    return {"one": (await session.execute(text("SELECT 1"))).scalar_one()}


@router.get("/fail")
async def fail(session: SessionDep):
    await session.begin()
    await session.execute(text("CREATE TEMP TABLE left_behind (x int)"))
    raise RuntimeError("failed mid-transaction")


@router.get("/left-behind")
async def left_behind(session: SessionDep):
    found = await session.execute(text("SELECT to_regclass('pg_temp.left_behind') IS NOT NULL"))
    return {"found": found.scalar_one()}


@router.get("/pid")
async def pid(session: SessionDep):
    return {"pid": (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()}


held_by: list[int] = []


@router.get("/hold")
async def hold(session: SessionDep):
    held_by.append((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
    holding.set()
    await asyncio.Event().wait()  # until cancelled


@pytest.fixture
async def app(service_url):
    app = create_service_app(Settings(database_url=service_url("gateway"), db_pool_size=2), "t")
    app.include_router(router)
    yield app
    await app.state.engine.dispose()


async def call(app, path: str) -> list[dict]:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"t")], "client": ("127.0.0.1", 1),
        "server": ("t", 80), "state": {},
    }  # fmt: skip
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_a_read_gives_its_connection_back(app):
    for _ in range(5):  # more than the pool holds: each must have come back
        sent = await call(app, "/read")
        assert sent[0]["status"] == 200
    assert app.state.engine.pool.checkedout() == 0


async def test_a_route_that_failed_mid_transaction_has_it_rolled_back_and_given_back(app):
    for _ in range(3):  # the server's error handler answers 500, then raises it again
        with pytest.raises(RuntimeError, match="failed mid-transaction"):
            await call(app, "/fail")
    assert app.state.engine.pool.checkedout() == 0
    # rolled back: the temporary table the failed transactions made is on no pooled connection
    for _ in range(4):
        sent = await call(app, "/left-behind")
        assert sent[1]["body"] == b'{"found":false}'


async def test_a_request_cancelled_while_holding_a_connection_gives_it_back(app):
    # cancelled the way a server's task group cancels: every wait inside is cancelled again
    holding.clear()
    async with anyio.create_task_group() as group:
        group.start_soon(call, app, "/hold")
        await holding.wait()
        assert app.state.engine.pool.checkedout() == 1
        group.cancel_scope.cancel()
    assert app.state.engine.pool.checkedout() == 0
    # closed cleanly (rolled back, shielded from the cancellation), not dropped: the next request
    # gets the same server connection
    sent = await call(app, "/pid")
    assert sent[1]["body"] == f'{{"pid":{held_by[-1]}}}'.encode()
