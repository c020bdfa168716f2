"""System tests: the whole local stack (Postgres, Kafka, a daprd per service, the five services)."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import pytest

from scripts.stack.processes import Stack
from scripts.stack.topology import CONSUMERS

# How long an event may take to arrive before a test gives up. A ceiling for hung pipes, never a
# measure of speed (that is `make bench`): generous because it includes Kafka rebalances.
PATIENCE_S = 90


@pytest.fixture(scope="session")
def stack(test_stack: Stack) -> Stack:
    test_stack.up(say=lambda _: None)
    return test_stack


@pytest.fixture
async def gateway(stack: Stack):
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
async def db(stack: Stack):
    """A superuser connection to the system's database, to look into every service's schema."""
    conn = await asyncpg.connect(stack.t.database_dsn())
    yield conn
    await conn.close()


async def eventually(
    check: Callable[[], Awaitable[bool]], what: str, patience: float = PATIENCE_S
) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {patience:.0f}s: {what}")


async def consumers_that_processed(db: asyncpg.Connection, event_id: uuid.UUID) -> dict[str, int]:
    """How many times each consumer recorded `event_id` (exactly once means 1 everywhere)."""
    counts = {}
    for consumer in CONSUMERS:
        counts[consumer] = await db.fetchval(
            f"SELECT count(*) FROM {consumer}.processed_event WHERE event_id = $1", event_id
        )
    return counts


async def wait_until_all_consumers_processed(db: asyncpg.Connection, event_id: uuid.UUID) -> None:
    async def all_have_it() -> bool:
        return all(n >= 1 for n in (await consumers_that_processed(db, event_id)).values())

    await eventually(all_have_it, f"event {event_id} reached all of {', '.join(CONSUMERS)}")


async def outbox_ids_for(db: asyncpg.Connection, aggregate_id: str) -> list[uuid.UUID]:
    rows = await db.fetch(
        "SELECT id FROM gateway.outbox WHERE partition_key = $1 ORDER BY seq", aggregate_id
    )
    return [r["id"] for r in rows]


async def publish_raw(stack: Stack, topic: str, cloudevent: dict, key: str) -> None:
    """Publish exactly this CloudEvent through the gateway's sidecar, as the relay does: bulk publish is
    the one publish API that sidecar serves (dapr/config/gateway.yaml)."""
    entry = {
        "entryId": "0",
        "event": cloudevent,
        "contentType": "application/cloudevents+json",
        "metadata": {"partitionKey": key},
    }
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{stack.t.dapr_url('gateway')}/v1.0-alpha1/publish/bulk/pubsub/{topic}",
            json=[entry],
            headers={"dapr-api-token": stack.t.secrets["DAPR_API_TOKEN"]},
        )
    assert response.status_code == 204 or (
        response.status_code == 200 and not response.json().get("failedEntries")
    ), response.text
