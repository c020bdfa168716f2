"""A consumer that cannot write to its database for longer than Dapr's retry window: its sidecar stops
delivering (the app health check it uses reflects the database), so every event takes effect once it is
back, none dead-lettered. What does reach a dead-letter topic is counted, and an operator can replay it
into its consumer, as often as they like, with one effect.

The audit service's sidecar runs with a retry window of a few seconds here (production keeps its own,
dapr/resiliency), so that outages a few times longer than the window take seconds, not minutes."""

import asyncio
import re
import uuid

import httpx
import pytest

from scripts.stack.processes import Stack
from shared.deadletters import replay
from tests.system.conftest import eventually
from tests.system.test_event_pipe import create_household

CONSUMER = "audit"
RETRIES, MAX_INTERVAL = 5, "1s"  # about 4 s from the first delivery to the dead-letter topic
OUTAGE_S = 20  # several retry windows


@pytest.fixture(scope="module")
def short_retries(stack: Stack):
    """The consumer's sidecar with the short retry window; the usual one again afterwards."""
    stack.stop(f"daprd-{CONSUMER}")
    stack.start_sidecar(CONSUMER, resiliency=stack.short_retry_resiliency(RETRIES, MAX_INTERVAL))
    yield
    stack.stop(f"daprd-{CONSUMER}")
    stack.start_sidecar(CONSUMER)


async def audited(db, event_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = await db.fetch(
        "SELECT event_id, count(*) AS n FROM audit.audit_entry WHERE event_id = ANY($1) "
        "GROUP BY event_id",
        event_ids,
    )
    return {r["event_id"]: r["n"] for r in rows}


async def household_events(db, count: int, gateway: httpx.AsyncClient) -> list[uuid.UUID]:
    """`count` new households, one event each, on their way to every consumer."""
    ids = []
    for _ in range(count):
        household_id = await create_household(gateway)
        ids.append(
            await db.fetchval(
                "SELECT id FROM gateway.outbox WHERE partition_key = $1", household_id
            )
        )
    return ids


async def dead_lettered(stack: Stack) -> float:
    """How many household.created events the consumer has seen land in its dead-letter topic."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{stack.t.app_url(CONSUMER)}/metrics")).text
    pattern = (
        rf'^giftflow_events_dead_lettered_total\{{service="{CONSUMER}",type="giftflow\.household\.created\.v1"\}} '
        r"([0-9.e+]+)$"
    )
    match = re.search(pattern, text, re.M)
    return float(match.group(1)) if match else 0.0


async def test_a_consumer_locked_out_of_its_database_for_longer_than_the_retry_window_loses_nothing(
    stack, short_retries, gateway, db
):
    dead_before = await dead_lettered(stack)
    before = await household_events(db, 3, gateway)
    await eventually(lambda: _all_once(db, before), "events before the outage in the audit log")

    # the role may not log in, and its sessions end: as if its database had gone away
    await db.execute(f"ALTER ROLE {CONSUMER} NOLOGIN")
    try:
        await db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", CONSUMER
        )
        during = await household_events(db, 5, gateway)
        await asyncio.sleep(OUTAGE_S)
        assert await audited(db, during) == {}
    finally:
        await db.execute(f"ALTER ROLE {CONSUMER} LOGIN")
    after = await household_events(db, 3, gateway)

    await eventually(
        lambda: _all_once(db, before + during + after),
        "every event in the audit log once it is back",
    )
    await asyncio.sleep(2)  # time enough for a duplicate to show, were there one
    assert await audited(db, before + during + after) == {e: 1 for e in before + during + after}
    assert await dead_lettered(stack) == dead_before


async def test_what_lands_in_the_dead_letter_topic_is_counted_and_replayed_with_one_effect(
    stack, short_retries, gateway, db
):
    dead_before = await dead_lettered(stack)
    # a fault the health check cannot see (the database answers, but refuses the audit log's inserts):
    # every delivery is retried until the window runs out, then dead-lettered
    await db.execute(f"REVOKE INSERT ON {CONSUMER}.audit_entry FROM {CONSUMER}")
    try:
        lost = await household_events(db, 3, gateway)
        await eventually(
            lambda: _more_than(stack, dead_before + len(lost) - 1),
            "the events counted as dead letters",
        )
        assert await audited(db, lost) == {}
    finally:
        await db.execute(f"GRANT INSERT ON {CONSUMER}.audit_entry TO {CONSUMER}")

    token = stack.t.secrets["APP_API_TOKEN"]
    report = await replay(CONSUMER, stack.t.kafka_bootstrap, stack.t.app_url(CONSUMER), token)
    assert report.stopped_at is None and report.outcomes["SUCCESS"] >= len(lost), report
    assert await audited(db, lost) == {e: 1 for e in lost}

    again = await replay(CONSUMER, stack.t.kafka_bootstrap, stack.t.app_url(CONSUMER), token)
    assert again.replayed == 0  # the replay's consumer group remembers where it stopped
    from_the_start = await replay(
        CONSUMER,
        stack.t.kafka_bootstrap,
        stack.t.app_url(CONSUMER),
        token,
        group=f"test-{uuid.uuid4()}",
    )
    assert from_the_start.outcomes["SUCCESS"] >= len(lost), from_the_start
    assert await audited(db, lost) == {
        e: 1 for e in lost
    }  # the inbox: a second replay has no effect


async def _all_once(db, event_ids: list[uuid.UUID]) -> bool:
    return len(await audited(db, event_ids)) == len(event_ids)


async def _more_than(stack: Stack, count: float) -> bool:
    return await dead_lettered(stack) > count
