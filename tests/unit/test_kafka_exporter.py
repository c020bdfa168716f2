"""The local Kafka exporter speaks the names and labels of Strimzi's, so one dashboard serves both."""

from aiokafka.structs import TopicPartition
from prometheus_client import CollectorRegistry, generate_latest

from scripts.stack.kafka_exporter import Snapshot, offsets_as_metrics

TASK, DEAD = TopicPartition("task", 0), TopicPartition("deadletter.audit", 0)


def exposition(**offsets) -> str:
    snapshot = Snapshot()
    snapshot.metrics = offsets_as_metrics(**offsets)
    registry = CollectorRegistry()
    registry.register(snapshot)
    return generate_latest(registry).decode()


def test_lag_is_what_a_group_has_not_committed_per_topic_and_partition():
    text = exposition(
        latest={TASK: 120, DEAD: 3},
        oldest={TASK: 0, DEAD: 1},
        committed={"reminder": {TASK: 100}, "audit": {TASK: 120, DEAD: 3}},
    )
    assert (
        'kafka_consumergroup_lag{consumergroup="reminder",partition="0",topic="task"} 20.0' in text
    )
    assert 'kafka_consumergroup_lag{consumergroup="audit",partition="0",topic="task"} 0.0' in text
    assert (
        'kafka_consumergroup_current_offset{consumergroup="reminder",partition="0",topic="task"} 100.0'
        in text
    )


def test_topic_offsets_show_what_landed_in_a_dead_letter_topic():
    text = exposition(latest={DEAD: 3}, oldest={DEAD: 1}, committed={})
    assert (
        'kafka_topic_partition_current_offset{partition="0",topic="deadletter.audit"} 3.0' in text
    )
    assert 'kafka_topic_partition_oldest_offset{partition="0",topic="deadletter.audit"} 1.0' in text


def test_a_partition_a_group_never_committed_to_has_no_lag_series():
    text = exposition(latest={TASK: 5}, oldest={TASK: 0}, committed={"replay.audit": {TASK: -1}})
    assert "replay.audit" not in text
