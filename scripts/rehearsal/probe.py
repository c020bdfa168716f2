"""An event of a version the consumers do not know yet, sent before they are upgraded: it must not be lost.

A consumer answers DROP for a version of an event it handles but cannot read (shared/consumer.py), so
Dapr parks it on the consumer's dead-letter topic; audit, which logs whatever comes, takes it as it is.
Once the consumers read the new version, `make replay-deadletters` hands the parked events back and
they are handled. The probe is a real task.created of the rehearsal, re-sent as v2 under a new id.
"""

import json
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from scripts.rehearsal.next_build import NEW_TYPE, OLD_TYPE
from scripts.stack.topology import CONSUMERS, Topology
from shared.dapr import DaprClient, OutgoingEvent
from shared.deadletters import dead_letter_topic


async def send(t: Topology) -> str:
    """Publish one task.created v2 through the gateway's sidecar; its event id."""
    conn = await asyncpg.connect(t.database_dsn())
    try:
        row = await conn.fetchval(
            "SELECT cloudevent FROM gateway.outbox WHERE event_type = $1 ORDER BY seq DESC LIMIT 1",
            OLD_TYPE,
        )
    finally:
        await conn.close()
    if row is None:
        raise RuntimeError("no task.created was published yet to make the probe from")
    event = json.loads(row) if isinstance(row, str) else dict(row)
    event["id"] = str(uuid.uuid4())
    event["type"] = NEW_TYPE
    event["data"] = {**event["data"], "created_via": "api"}
    # through the sidecar's bulk publish API, as the relay publishes: the only one it opens to the gateway
    dapr = DaprClient(t.dapr_url("gateway"), t.secrets["DAPR_API_TOKEN"])
    try:
        refused = await dapr.publish_bulk(
            "task", [OutgoingEvent(event["id"], event["subject"], event)]
        )
    finally:
        await dapr.aclose()
    if refused:
        raise RuntimeError("the gateway's sidecar refused the probe")
    return event["id"]


async def dead_letters(t: Topology) -> dict[str, int]:
    """How many events each consumer's dead-letter topic holds."""
    topics = [dead_letter_topic(consumer) for consumer in CONSUMERS]
    admin = AIOKafkaAdminClient(bootstrap_servers=t.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], p["partition"])
        for topic in described
        for p in topic.get("partitions") or []
    ]
    kafka = AIOKafkaConsumer(bootstrap_servers=t.kafka_bootstrap)
    await kafka.start()
    try:
        ends = await kafka.end_offsets(partitions)
        starts = await kafka.beginning_offsets(partitions)
    finally:
        await kafka.stop()
    return {
        consumer: sum(ends[tp] - starts[tp] for tp in partitions if tp.topic == topic)
        for consumer, topic in zip(CONSUMERS, topics, strict=True)
    }
