"""The Kafka topics: the ones the code publishes to and the subscriptions read, declared for the cluster
and made by compose, and a dead-letter topic per consumer that only that consumer reads."""

import re

import yaml

from shared.events import TOPICS
from tests.unit.deployment import COMPOSE, CONSUMERS, DAPR, K8S, load

DEAD_LETTER_TOPICS = tuple(f"deadletter.{c}" for c in CONSUMERS)


def test_kafka_topics_are_the_ones_the_code_and_the_subscriptions_use():
    declared = {t["spec"]["topicName"] for t in load(K8S / "kafka" / "topics.yaml")}
    assert declared == {*TOPICS, *DEAD_LETTER_TOPICS}
    subscriptions = [s for p in (DAPR / "subscriptions").glob("*.yaml") for s in load(p)]
    assert {s["spec"]["topic"] for s in subscriptions} <= declared
    assert {s["spec"].get("deadLetterTopic") for s in subscriptions} - {None} <= declared
    compose_topics = yaml.safe_load(COMPOSE.read_text())["services"]["topics"]["command"][0]
    for topic in declared:
        assert re.search(rf"(?<![\w.]){re.escape(topic)}(?![\w.])", compose_topics), topic


def test_every_consumer_counts_what_lands_in_its_dead_letter_topic_and_sends_nowhere_else():
    for consumer in CONSUMERS:
        subscriptions = load(DAPR / "subscriptions" / f"{consumer}.yaml")
        dead_letters = {
            s["spec"]["deadLetterTopic"] for s in subscriptions if "deadLetterTopic" in s["spec"]
        }
        assert dead_letters == {f"deadletter.{consumer}"}
        [observer] = [s for s in subscriptions if s["spec"]["topic"] == f"deadletter.{consumer}"]
        assert (
            observer["spec"]["routes"]["default"] == "/deadletters"
            and "deadLetterTopic" not in observer["spec"]
        )
        assert observer["scopes"] == [consumer]
