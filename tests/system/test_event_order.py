"""One aggregate's events reach Kafka and every consumer in the order they were committed, whatever
the gateway's workers and the concurrency of the requests: a storm of unclaims and claims on one item,
whose events each say how many units are claimed after them."""

import asyncio
import json
import uuid

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from scripts.stack.processes import Stack
from tests.integration.accounts import Account, invite_and_join, new_household, sign_up
from tests.integration.gifting import CLAIM_TYPES, Gifting, claim_sequence_breaks
from tests.system.conftest import eventually

MEMBERS, ROUNDS = 20, 3
CLAIM_EVENTS = MEMBERS * (
    1 + 2 * ROUNDS
)  # each claims once, then unclaims and claims again each round
ORDERED_CONSUMERS = ("audit", "notification")  # the consumers of the claim topic


async def claim_storm(gateway: httpx.AsyncClient) -> tuple[str, list[Account]]:
    """An item wanted by as many as there are members, each of whom claims a unit, then releases and
    claims it again ROUNDS times, all at once; the item's id and the members."""
    admin = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, admin, "Storm")
    g = Gifting(gateway, household_id)
    grandpa = await g.person(admin, "Grandpa")
    item = await g.add_item(admin, await g.new_list(admin, grandpa), "Socks", quantity=MEMBERS)
    members = [
        await invite_and_join(gateway, household_id, admin=admin, name=f"Cousin {i}")
        for i in range(MEMBERS)
    ]

    async def claim_and_churn(member: Account) -> None:
        assert (await g.claim(member, item["id"])).status_code == 201
        for _ in range(ROUNDS):
            await g.ok("DELETE", member, f"/items/{item['id']}/claims/mine", 204)
            assert (await g.claim(member, item["id"])).status_code == 201

    await asyncio.gather(*(claim_and_churn(m) for m in members))
    return item["id"], members


async def events_in_kafka(stack: Stack, topic: str, key: str, count: int) -> list[dict]:
    """The first `count` distinct events keyed `key` in `topic`, in the order Kafka holds them."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.t.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )
    await consumer.start()
    found: dict[str, dict] = {}
    try:

        async def all_read() -> bool:
            for records in (await consumer.getmany(timeout_ms=1000, max_records=1000)).values():
                for record in records:
                    if record.key == key.encode():
                        event = json.loads(record.value)
                        found.setdefault(event["id"], event)  # a re-publish keeps its first place
            return len(found) >= count

        await eventually(all_read, f"{count} events of {key} in {topic}")
    finally:
        await consumer.stop()
    return list(found.values())


async def test_a_storm_of_claims_on_one_item_reaches_kafka_and_every_consumer_in_commit_order(
    stack, gateway, db
):
    item_id, members = await claim_storm(gateway)
    committed = await db.fetch(
        "SELECT id, seq FROM gateway.outbox WHERE partition_key = $1 AND event_type = ANY($2::text[]) ORDER BY seq",
        item_id,
        list(CLAIM_TYPES),
    )
    assert len(committed) == CLAIM_EVENTS
    version_of = {r["id"]: r["seq"] for r in committed}

    in_kafka = await events_in_kafka(stack, "claim", item_id, CLAIM_EVENTS)
    assert claim_sequence_breaks(in_kafka) == []
    assert [uuid.UUID(e["id"]) for e in in_kafka] == list(version_of)
    assert [e["aggregateversion"] for e in in_kafka] == list(version_of.values())

    async def all_consumed() -> bool:
        return all(
            [
                await db.fetchval(
                    f"SELECT count(*) FROM {c}.processed_event WHERE event_id = ANY($1)",
                    list(version_of),
                )
                == CLAIM_EVENTS
                for c in ORDERED_CONSUMERS
            ]
        )

    await eventually(
        all_consumed, f"all {CLAIM_EVENTS} claim events at {', '.join(ORDERED_CONSUMERS)}"
    )

    # the audit log, in the order its entries were written
    entries = await db.fetch(
        "SELECT event_id, event_type, data, aggregate_version FROM audit.audit_entry "
        "WHERE subject = $1 AND event_type = ANY($2::text[]) ORDER BY id",
        item_id,
        list(CLAIM_TYPES),
    )
    audited = [
        {
            "id": str(r["event_id"]),
            "type": r["event_type"],
            "data": as_json(r["data"]),
            "aggregateversion": r["aggregate_version"],
        }
        for r in entries
    ]
    assert claim_sequence_breaks(audited) == []
    assert [r["aggregate_version"] for r in entries] == [version_of[r["event_id"]] for r in entries]
    assert len(entries) == CLAIM_EVENTS

    # each member's notifications (of everyone else's claims), in the order of their stream
    for member in members:
        await assert_notified_in_commit_order(db, member, item_id, version_of)


async def assert_notified_in_commit_order(
    db: asyncpg.Connection, member: Account, item_id: str, version_of: dict[uuid.UUID, int]
) -> None:
    rows = await db.fetch(
        "SELECT event_id FROM notification.notification WHERE user_id = $1 AND entity_id = $2 "
        "ORDER BY seq",
        uuid.UUID(member.user_id),
        uuid.UUID(item_id),
    )
    versions = [version_of[r["event_id"]] for r in rows]
    assert versions == sorted(versions), f"{member.name} was told of the claims out of order"
    assert len(versions) == CLAIM_EVENTS - (1 + 2 * ROUNDS)  # everyone's claims but their own


def as_json(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value
