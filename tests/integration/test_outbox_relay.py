"""The outbox relay against a real Postgres and a stand-in for the Dapr sidecar (outside our system):
what Dapr accepts is marked published, what it refuses stays pending and goes out on a later pass, and
published rows are deleted once older than the retention, pending ones never. However many relays run on
one outbox, they publish one batch at a time, in the outbox's order."""

import asyncio
import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncpg
import pytest
from sqlalchemy import func, select

from scripts.stack.processes import Stack
from services.gateway.models import outbox
from shared.dapr import DaprClient
from shared.db import asyncpg_dsn, create_engine, session_factory
from shared.events import household as h
from shared.outbox import add_event
from shared.relay import OutboxRelay
from shared.worker import running
from tests.system.conftest import eventually

API_TOKEN = "relay-test-dapr-api-token"
BULK_PUBLISH = "/v1.0-alpha1/publish/bulk/pubsub/"
KEEP_PUBLISHED = timedelta(days=7)


class BulkPublish(BaseHTTPRequestHandler):
    """Dapr's bulk publish endpoint as daprd answers it: 204 when every entry was accepted, otherwise
    500 with `failedEntries` naming the refused entries (the others were published all the same)."""

    def do_POST(self) -> None:
        if (
            not self.path.startswith(BULK_PUBLISH)
            or self.headers.get("dapr-api-token") != API_TOKEN
        ):
            self.send_error(404)
            return
        entries = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with self.server.lock:
            self.server.in_flight += 1
            self.server.most_in_flight = max(self.server.most_in_flight, self.server.in_flight)
        time.sleep(
            self.server.delay_s
        )  # a broker that takes a while to ack: lets relays overlap if they can
        with self.server.lock:
            self.server.in_flight -= 1
            self.server.received.append([e["entryId"] for e in entries])
        failed = [e["entryId"] for e in entries if e["entryId"] in self.server.refused]
        if not failed:
            self.send_response(204)
            self.end_headers()
            return
        body = json.dumps(
            {
                "failedEntries": [
                    {"entryId": i, "error": "kafka: message rejected"} for i in failed
                ],
                "errorCode": "ERR_PUBSUB_PUBLISH_MESSAGE",
            }
        ).encode()
        self.send_response(500)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def sidecar():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BulkPublish)
    server.daemon_threads = True
    server.received, server.refused = [], set()
    server.lock, server.in_flight, server.most_in_flight, server.delay_s = (
        threading.Lock(),
        0,
        0,
        0.0,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
async def outbox_db(postgres: Stack, scratch_database: str):
    """A superuser connection to the scratch database, whose outbox starts empty for each test."""
    conn = await asyncpg.connect(postgres.t.database_dsn(scratch_database))
    await conn.execute("DELETE FROM gateway.outbox")
    yield conn
    await conn.close()


@pytest.fixture
async def gateway_url(postgres: Stack, scratch_database: str) -> str:
    return postgres.t.service_database_url("gateway", scratch_database)


@pytest.fixture
async def relay(gateway_url: str, sidecar, outbox_db):
    sidecar.received.clear()
    sidecar.refused.clear()
    sidecar.most_in_flight, sidecar.delay_s = 0, 0.0
    engine = create_engine(gateway_url, pool_size=2)
    dapr = DaprClient(sidecar.url, API_TOKEN)
    yield OutboxRelay(
        engine, outbox, dapr, listen_dsn=asyncpg_dsn(gateway_url), keep_published=KEEP_PUBLISHED
    )
    await dapr.aclose()
    await engine.dispose()


async def stage_events(gateway_url: str, count: int) -> list[str]:
    """`count` events added as a use case adds them, each in a transaction of its own; their ids."""
    engine = create_engine(gateway_url, pool_size=1)
    ids = []
    try:
        async with session_factory(engine)() as session:
            for i in range(count):
                async with session.begin():
                    event = h.HouseholdCreated(
                        household_id=uuid.uuid4(),
                        actor_id=uuid.uuid4(),
                        name=f"Household {i}",
                        created_at=datetime.now(UTC),
                    )
                    ids.append(str(await add_event(session, outbox, event)))
    finally:
        await engine.dispose()
    return ids


async def pending(db: asyncpg.Connection) -> set[str]:
    return {
        str(r["id"])
        for r in await db.fetch("SELECT id FROM gateway.outbox WHERE published_at IS NULL")
    }


async def test_entries_the_sidecar_refuses_stay_pending_and_go_out_on_a_later_pass(
    relay: OutboxRelay, sidecar, outbox_db, gateway_url
):
    first, refused, last = await stage_events(gateway_url, 3)
    sidecar.refused = {refused}

    await relay.relay_once()

    assert sidecar.received == [[first, refused, last]]
    assert await pending(outbox_db) == {refused}
    assert (
        await outbox_db.fetchval(
            "SELECT attempts FROM gateway.outbox WHERE id = $1", uuid.UUID(refused)
        )
        == 1
    )

    sidecar.refused = set()
    await relay.relay_once()

    assert sidecar.received[1:] == [
        [refused]
    ]  # only what was still pending, nothing published twice
    assert await pending(outbox_db) == set()


async def test_published_rows_are_pruned_after_the_retention_and_pending_ones_never(
    relay: OutboxRelay, sidecar, outbox_db, gateway_url
):
    expired, long_refused, recently_published, fresh = await stage_events(gateway_url, 4)
    when = (
        "UPDATE gateway.outbox SET created_at = now() - $2::interval, published_at = now() - $3::interval "
        "WHERE id = $1"
    )
    await outbox_db.execute(
        when, uuid.UUID(expired), timedelta(days=10), KEEP_PUBLISHED + timedelta(days=1)
    )
    await outbox_db.execute(
        when, uuid.UUID(recently_published), timedelta(days=10), timedelta(hours=1)
    )
    await outbox_db.execute(when, uuid.UUID(long_refused), timedelta(days=30), None)
    sidecar.refused = {long_refused}  # the broker keeps refusing it while other events flow

    async def rows() -> set[str]:
        return {str(r["id"]) for r in await outbox_db.fetch("SELECT id FROM gateway.outbox")}

    async def expired_is_gone() -> bool:
        return expired not in await rows()

    await relay.start()
    try:
        await eventually(expired_is_gone, "the row published before the retention pruned")
    finally:
        await relay.stop()

    assert await rows() == {long_refused, recently_published, fresh}
    assert await pending(outbox_db) == {long_refused}


async def test_pruning_goes_on_while_the_sidecar_refuses_everything(
    relay: OutboxRelay, sidecar, outbox_db, gateway_url
):
    expired, refused = await stage_events(gateway_url, 2)
    await outbox_db.execute(
        "UPDATE gateway.outbox SET published_at = now() - $2::interval WHERE id = $1",
        uuid.UUID(expired),
        KEEP_PUBLISHED + timedelta(days=1),
    )
    sidecar.refused = {refused}  # every publish fails: an outage

    async def expired_is_gone() -> bool:
        return (
            await outbox_db.fetchval(
                "SELECT count(*) FROM gateway.outbox WHERE id = $1", uuid.UUID(expired)
            )
            == 0
        )

    await relay.start()
    try:
        await eventually(
            expired_is_gone, "the row published before the retention pruned during the outage"
        )
    finally:
        await relay.stop()
    assert await pending(outbox_db) == {refused}


async def test_relays_of_several_replicas_take_turns_and_publish_in_the_outbox_order(
    sidecar, outbox_db, gateway_url
):
    staged = await stage_events(gateway_url, 60)
    sidecar.received.clear()
    sidecar.refused.clear()
    sidecar.most_in_flight, sidecar.delay_s = 0, 0.05
    engine = create_engine(gateway_url, pool_size=4)
    dapr = DaprClient(sidecar.url, API_TOKEN)
    relays = [
        OutboxRelay(engine, outbox, dapr, listen_dsn=asyncpg_dsn(gateway_url), batch_size=7)
        for _ in range(3)
    ]

    async def all_published() -> bool:
        return not await pending(outbox_db)

    try:
        async with running(*relays):
            await eventually(all_published, "every staged event published")
    finally:
        await dapr.aclose()
        await engine.dispose()

    in_order = [
        str(r["id"]) for r in await outbox_db.fetch("SELECT id FROM gateway.outbox ORDER BY seq")
    ]
    assert in_order == staged  # each in a transaction of its own, one after the other: numbered so
    assert [entry for batch in sidecar.received for entry in batch] == in_order
    assert sidecar.most_in_flight == 1


async def test_a_transaction_that_waited_for_an_aggregate_is_numbered_after_the_one_it_waited_for(
    outbox_db, gateway_url
):
    """The cause of out-of-order events: a timestamp taken when a transaction begins. The one that
    begins first but writes its event second must come second."""
    aggregate = uuid.uuid4()
    engine = create_engine(gateway_url, pool_size=2)
    early_began, late_wrote = asyncio.Event(), asyncio.Event()

    async def write(name: str) -> None:
        event = h.HouseholdUpdated(
            household_id=aggregate, name=name, timezone="UTC", changed=("name",)
        )
        async with session_factory(engine)() as session, session.begin():
            if name == "late":
                await early_began.wait()
            await session.execute(
                select(func.now())
            )  # the transaction has begun, and taken its now()
            if name == "early":
                early_began.set()
                await late_wrote.wait()
            await add_event(session, outbox, event)  # "early" waits here until "late" has committed
            if name == "late":
                late_wrote.set()
                await asyncio.sleep(0.3)  # still holding the aggregate when "early" asks for it

    try:
        await asyncio.gather(write("early"), write("late"))
    finally:
        await engine.dispose()

    rows = await outbox_db.fetch(
        "SELECT cloudevent->'data'->>'name' AS name, seq, (cloudevent->>'aggregateversion')::bigint AS version, "
        "created_at FROM gateway.outbox WHERE partition_key = $1 ORDER BY seq",
        str(aggregate),
    )
    assert [r["name"] for r in rows] == ["late", "early"]
    assert [r["version"] for r in rows] == [r["seq"] for r in rows]
    assert rows[1]["created_at"] <= rows[0]["created_at"]  # what the relay used to order by
