"""The inbox must remember event ids longer than Kafka keeps the events, or a late redelivery is
handled twice (see shared.inbox)."""

import re
from pathlib import Path

import yaml

from shared.settings import ConsumerSettings

ROOT = Path(__file__).resolve().parents[2]
DAY_MS = 24 * 3600 * 1000


def test_the_inbox_outlives_every_event_topic_in_kubernetes():
    window_ms = ConsumerSettings().inbox_retention_days * DAY_MS
    topics = [t for t in yaml.safe_load_all((ROOT / "k8s/kafka/topics.yaml").read_text()) if t]
    # dead-letter topics hold what was never handled, so never recorded: their replays are first deliveries
    event_topics = [t for t in topics if not t["spec"]["topicName"].startswith("deadletter.")]
    assert event_topics
    for topic in event_topics:
        assert int(topic["spec"]["config"]["retention.ms"]) < window_ms, topic["spec"]["topicName"]


def test_the_inbox_outlives_the_local_brokers_retention():
    processes = (ROOT / "scripts/stack/processes.py").read_text()
    hours = int(re.search(r"^log\.retention\.hours=(\d+)$", processes, re.MULTILINE).group(1))
    assert hours < ConsumerSettings().inbox_retention_days * 24
