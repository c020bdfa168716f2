"""Creates giftflow's topics (one per aggregate, one dead-letter topic per consumer) up front, so
subscribers never race the first publish: the same topics, with the same retention, as
k8s/kafka/topics.yaml (scripts/pubsub), but with KAFKA_PARTITIONS partitions an aggregate's topic."""

import os

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from scripts.pubsub.tables import KafkaTopic, consumer_names, kafka_topics
from shared.events import TOPICS

PARTITIONS = int(os.environ.get("KAFKA_PARTITIONS", "1"))


def all_topics(partitions: int = PARTITIONS) -> list[KafkaTopic]:
    return kafka_topics(list(TOPICS), consumer_names(), partitions)


async def ensure_topics(bootstrap: str, partitions: int = PARTITIONS) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(t.name, t.partitions, 1, topic_configs={"retention.ms": str(t.retention_ms)})
            for t in all_topics(partitions)
            if t.name not in existing
        ]
        if missing:
            await admin.create_topics(missing)
    finally:
        await admin.close()
