"""Creates giftflow's topics (one per aggregate, one dead-letter topic per consumer) up front, so
subscribers never race the first publish."""

import os

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from scripts.stack.topology import CONSUMERS
from shared.events import TOPICS

PARTITIONS = int(os.environ.get("KAFKA_PARTITIONS", "1"))


def all_topics() -> list[str]:
    return [*TOPICS, *(f"deadletter.{c}" for c in CONSUMERS)]


async def ensure_topics(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, PARTITIONS, 1) for t in all_topics() if t not in existing]
        if missing:
            await admin.create_topics(missing)
    finally:
        await admin.close()
