"""Consumer lag and topic offsets of the local stack's Kafka as Prometheus metrics, under the names of the
Kafka exporter Strimzi runs in a cluster (kafkaExporter in k8s/kafka/kafka.yaml), so that one dashboard
and one set of alerts serve both:

    kafka_topic_partition_current_offset{topic, partition}   the next offset Kafka will write
    kafka_topic_partition_oldest_offset{topic, partition}    the oldest offset it still holds
    kafka_consumergroup_current_offset{consumergroup, topic, partition}   what the group committed
    kafka_consumergroup_lag{consumergroup, topic, partition}  how far the group is behind

A consumer group is a consumer's app id (Dapr's default); what lands in `deadletter.<service>` is that
topic's offsets. Only partitions a group has committed to are reported for it, as Strimzi's exporter does.

    python -m scripts.stack.kafka_exporter BOOTSTRAP PORT [INTERVAL_S]
"""

import asyncio
import sys
from collections.abc import Iterable, Iterator

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class Snapshot(Collector):
    """The metrics of the latest poll: a scrape never waits for Kafka, and never sees a half-made poll."""

    def __init__(self) -> None:
        self.metrics: list[Metric] = []

    def collect(self) -> Iterator[Metric]:
        yield from self.metrics


def offsets_as_metrics(
    latest: dict[TopicPartition, int],
    oldest: dict[TopicPartition, int],
    committed: dict[str, dict[TopicPartition, int]],
) -> list[Metric]:
    current = GaugeMetricFamily(
        "kafka_topic_partition_current_offset",
        "Current Offset of a Broker at Topic/Partition",
        labels=["topic", "partition"],
    )
    first = GaugeMetricFamily(
        "kafka_topic_partition_oldest_offset",
        "Oldest Offset of a Broker at Topic/Partition",
        labels=["topic", "partition"],
    )
    for tp, offset in sorted(latest.items()):
        current.add_metric([tp.topic, str(tp.partition)], offset)
        first.add_metric([tp.topic, str(tp.partition)], oldest.get(tp, offset))
    group_offset = GaugeMetricFamily(
        "kafka_consumergroup_current_offset",
        "Current Offset of a ConsumerGroup at Topic/Partition",
        labels=["consumergroup", "topic", "partition"],
    )
    lag = GaugeMetricFamily(
        "kafka_consumergroup_lag",
        "Current Approximate Lag of a ConsumerGroup at Topic/Partition",
        labels=["consumergroup", "topic", "partition"],
    )
    for group, offsets in sorted(committed.items()):
        for tp, offset in sorted(offsets.items()):
            if tp not in latest or offset < 0:
                continue
            labels = [group, tp.topic, str(tp.partition)]
            group_offset.add_metric(labels, offset)
            lag.add_metric(labels, max(0, latest[tp] - offset))
    return [current, first, group_offset, lag]


async def poll(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> list[Metric]:
    topics = [t for t in await admin.list_topics() if not t.startswith("__")]
    partitions = [
        TopicPartition(d["topic"], p["partition"])
        for d in await admin.describe_topics(topics)
        for p in d["partitions"]
    ]
    latest = await consumer.end_offsets(partitions) if partitions else {}
    oldest = await consumer.beginning_offsets(partitions) if partitions else {}
    committed = {}
    for group, *_ in await admin.list_consumer_groups():
        offsets = await admin.list_consumer_group_offsets(group)
        committed[group] = {tp: meta.offset for tp, meta in offsets.items()}
    return offsets_as_metrics(latest, oldest, committed)


async def run(bootstrap: str, snapshot: Snapshot, interval: float) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=10000
    )
    started: list[AIOKafkaAdminClient | AIOKafkaConsumer] = []
    try:
        while True:
            try:
                for client in (admin, consumer):
                    if client not in started:
                        await client.start()
                        started.append(client)
                snapshot.metrics = await poll(admin, consumer)
            except Exception as exc:  # noqa: BLE001 - Kafka away: say so, show nothing stale, try again
                snapshot.metrics = []
                print(f"kafka_exporter: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            await asyncio.sleep(interval)
    finally:
        for client in reversed(started):
            await client.close() if isinstance(client, AIOKafkaAdminClient) else await client.stop()


def main(argv: Iterable[str]) -> int:
    bootstrap, port, *rest = argv
    snapshot = Snapshot()
    registry = CollectorRegistry()
    registry.register(snapshot)
    start_http_server(int(port), addr="127.0.0.1", registry=registry)
    asyncio.run(run(bootstrap, snapshot, float(rest[0]) if rest else 5.0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
