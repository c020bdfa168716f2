"""The pipe from a gateway write to every consumer, through the real Dapr sidecars and Kafka."""

import json
import uuid

import httpx
from aiokafka import AIOKafkaConsumer

from scripts.stack.topology import CONSUMERS
from tests.system.conftest import (
    consumers_that_processed,
    eventually,
    outbox_ids_for,
    publish_raw,
    wait_until_all_consumers_processed,
)


async def create_household(
    gateway: httpx.AsyncClient, name: str = "Smiths", headers: dict | None = None
) -> str:
    """A household made by a newly signed-up user: sign-up itself publishes no event."""
    email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
    signed_up = await gateway.post(
        "/api/auth/signup",
        json={"email": email, "password": "correct horse battery", "display_name": "Admin"},
    )
    assert signed_up.status_code == 201, signed_up.text
    token = signed_up.json()["access_token"]
    response = await gateway.post(
        "/api/households",
        json={"name": name},
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def household_created_cloudevent(household_id: str, data: dict | None = None) -> dict:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "giftflow/tests",
        "type": "giftflow.household.created.v1",
        "subject": household_id,
        "household": household_id,
        "datacontenttype": "application/json",
        "data": {
            "household_id": household_id,
            "name": "Marker",
            "created_at": "2026-11-21T10:00:00Z",
            **(data or {}),
        },
    }


async def test_one_gateway_write_reaches_all_four_consumers_exactly_once(stack, gateway, db):
    household_id = await create_household(gateway)
    [event_id] = await outbox_ids_for(db, household_id)

    await wait_until_all_consumers_processed(db, event_id)

    assert await consumers_that_processed(db, event_id) == {c: 1 for c in CONSUMERS}
    entry = await db.fetchrow("SELECT * FROM audit.audit_entry WHERE event_id = $1", event_id)
    assert entry["event_type"] == "giftflow.household.created.v1"
    assert str(entry["household_id"]) == household_id
    assert await db.fetchval(
        "SELECT published_at IS NOT NULL FROM gateway.outbox WHERE id = $1", event_id
    )


async def test_the_same_event_delivered_twice_has_one_effect(stack, gateway, db):
    household_id = await create_household(gateway)
    [event_id] = await outbox_ids_for(db, household_id)
    await wait_until_all_consumers_processed(db, event_id)
    original = await db.fetchval("SELECT cloudevent FROM gateway.outbox WHERE id = $1", event_id)
    original = json.loads(original) if isinstance(original, str) else original

    await publish_raw(stack, "household", original, household_id)  # the redelivery
    marker = household_created_cloudevent(
        household_id
    )  # same key, so it queues behind the duplicate
    await publish_raw(stack, "household", marker, household_id)
    await wait_until_all_consumers_processed(db, uuid.UUID(marker["id"]))

    assert await consumers_that_processed(db, event_id) == {c: 1 for c in CONSUMERS}
    assert (
        await db.fetchval("SELECT count(*) FROM audit.audit_entry WHERE event_id = $1", event_id)
        == 1
    )


async def test_writes_succeed_while_the_gateway_sidecar_is_down_and_arrive_once_it_is_back(
    stack, gateway, db
):
    stack.stop("daprd-gateway")
    try:
        household_ids = [await create_household(gateway, f"Offline {i}") for i in range(3)]
        event_ids = [eid for h in household_ids for eid in await outbox_ids_for(db, h)]
        unpublished = await db.fetchval(
            "SELECT count(*) FROM gateway.outbox WHERE id = ANY($1) AND published_at IS NULL",
            event_ids,
        )
        assert unpublished == 3
    finally:
        stack.start_sidecar("gateway")
    for event_id in event_ids:
        await wait_until_all_consumers_processed(db, event_id)
        assert await consumers_that_processed(db, event_id) == {c: 1 for c in CONSUMERS}


async def test_a_consumer_sidecar_outage_delays_its_events_but_loses_none(stack, gateway, db):
    stack.stop("daprd-audit")
    try:
        household_id = await create_household(gateway, "While audit was away")
        [event_id] = await outbox_ids_for(db, household_id)

        async def others_have_it() -> bool:
            counts = await consumers_that_processed(db, event_id)
            return all(counts[c] == 1 for c in CONSUMERS if c != "audit")

        await eventually(others_have_it, "the consumers still up got the event")
        assert (await consumers_that_processed(db, event_id))["audit"] == 0
    finally:
        stack.start_sidecar("audit")
    await wait_until_all_consumers_processed(db, event_id)
    assert (
        await db.fetchval("SELECT count(*) FROM audit.audit_entry WHERE event_id = $1", event_id)
        == 1
    )


async def test_writes_succeed_while_kafka_is_down_and_every_event_arrives_after_it_returns(
    stack, gateway, db
):
    stack.stop("kafka")
    try:
        household_ids = [await create_household(gateway, f"No broker {i}") for i in range(3)]
    finally:
        stack.start_kafka()
    event_ids = [eid for h in household_ids for eid in await outbox_ids_for(db, h)]
    assert len(event_ids) == 3
    for event_id in event_ids:
        await wait_until_all_consumers_processed(db, event_id)
        assert await consumers_that_processed(db, event_id) == {c: 1 for c in CONSUMERS}


async def test_a_malformed_event_is_dead_lettered_and_does_not_block_the_events_behind_it(
    stack, db
):
    household_id = str(uuid.uuid4())
    poison = household_created_cloudevent(household_id, {"household_id": "not-a-uuid"})
    behind = household_created_cloudevent(household_id)
    await publish_raw(stack, "household", poison, household_id)
    await publish_raw(stack, "household", behind, household_id)

    await wait_until_all_consumers_processed(db, uuid.UUID(behind["id"]))
    assert set((await consumers_that_processed(db, uuid.UUID(poison["id"]))).values()) == {0}
    for consumer in CONSUMERS:
        assert await dead_lettered(stack, f"deadletter.{consumer}", poison["id"]), consumer


async def dead_lettered(stack, topic: str, event_id: str) -> bool:
    """Whether the dead-letter topic holds the event (read from the start, by a throwaway group)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.t.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"test-{uuid.uuid4()}",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        found = False

        async def look() -> bool:
            nonlocal found
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    if event_id.encode() in record.value:
                        found = True
            return found

        await eventually(look, f"{event_id} in {topic}")
        return found
    finally:
        await consumer.stop()


async def test_a_push_to_a_consumer_without_the_app_token_is_refused(stack, db):
    household_id = str(uuid.uuid4())
    forged = household_created_cloudevent(household_id)
    body = {
        "entries": [
            {"entryId": "1", "event": forged, "contentType": "application/cloudevents+json"}
        ]
    }
    async with httpx.AsyncClient(timeout=10) as client:
        for consumer in CONSUMERS:
            url = f"{stack.t.app_url(consumer)}/events"
            assert (await client.post(url, json=body)).status_code == 401
            assert (
                await client.post(url, json=body, headers={"dapr-api-token": "guess"})
            ).status_code == 401
    assert set((await consumers_that_processed(db, uuid.UUID(forged["id"]))).values()) == {0}


async def test_the_trace_id_of_a_request_follows_its_event_into_every_consumers_logs(
    stack, gateway, db
):
    trace_id = uuid.uuid4().hex
    traceparent = f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
    household_id = await create_household(gateway, "Traced", headers={"traceparent": traceparent})
    [event_id] = await outbox_ids_for(db, household_id)
    await wait_until_all_consumers_processed(db, event_id)

    for consumer in CONSUMERS:
        lines = stack.log_path(f"app-{consumer}").read_text().splitlines()
        logged = [
            json.loads(line) for line in lines if line.startswith("{") and str(event_id) in line
        ]
        # a batch is logged in one line, with each event's id and trace, in the same order
        traced = [
            dict(zip(entry["event_ids"], entry["trace_ids"], strict=True)).get(str(event_id))
            if "event_ids" in entry
            else entry.get("trace_id")
            for entry in logged
        ]
        assert trace_id in traced, consumer
