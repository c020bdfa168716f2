"""The pub/sub configuration is generated from the event tables (scripts/pubsub), so it cannot drift
from the code: the committed files are what the generator writes, every event a consumer handles
reaches it, and a new topic is one line of `shared.events.PUBLISHERS` plus its contract."""

import ast
import importlib
from typing import ClassVar
from uuid import UUID

import pytest
import yaml

import shared.events
from scripts.pubsub.files import expected, regions, stale, whole_files
from scripts.pubsub.tables import consumer_names, handler_table, read_tables
from scripts.stack.topics import all_topics
from scripts.stack.topology import CONSUMERS, ROOT
from services.audit import handlers as audit_handlers
from services.notification import handlers as notification_handlers
from shared.deadletters import dead_letter_topic
from shared.events import EVENT_TYPES, PUBLISHERS, TOPICS, Event


def subscribed_topics(text: str) -> set[str]:
    """The topics a subscriptions file delivers to the consumer's /events route."""
    return {
        s["spec"]["topic"]
        for s in yaml.safe_load_all(text)
        if s and s["spec"]["routes"]["default"] == "/events"
    }


def test_the_committed_files_are_what_make_pubsub_writes():
    out_of_date = [str(p.relative_to(ROOT)) for p in stale(ROOT, read_tables())]
    assert out_of_date == [], f"out of date, run `make pubsub`: {', '.join(out_of_date)}"


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_a_consumer_subscribes_to_the_topic_of_every_event_it_handles_and_no_other(consumer: str):
    module = importlib.import_module(f"services.{consumer}.handlers")
    if getattr(module, "CATCH_ALL", None) is not None:
        wanted = set(TOPICS)
    else:
        wanted = {EVENT_TYPES[event_type].topic for event_type in handler_table(consumer)}
    for folder in ("dapr", "k8s/dapr"):
        text = (ROOT / folder / "subscriptions" / f"{consumer}.yaml").read_text()
        assert subscribed_topics(text) == wanted, folder


def test_every_contract_is_on_a_declared_topic_and_every_topic_carries_one():
    assert {contract.topic for contract in EVENT_TYPES.values()} == set(PUBLISHERS)


def test_notification_and_audit_take_every_event_unasked():
    """So a new contract reaches the household's streams and the audit log with no line of theirs."""
    assert set(notification_handlers.HANDLERS) == set(EVENT_TYPES)
    assert audit_handlers.CATCH_ALL is audit_handlers.record_entry


def constructed_contracts(service: str) -> set[str]:
    """The contracts a service builds itself (outside its handlers, which only read them)."""
    names = {contract.__name__ for contract in EVENT_TYPES.values()}
    built = set()
    for path in (ROOT / "services" / service).rglob("*.py"):
        if path.name == "handlers.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if called in names:
                    built.add(called)
    return built


def test_each_topic_is_published_by_the_service_named_for_it():
    by_name = {contract.__name__: contract for contract in EVENT_TYPES.values()}
    publishing: dict[str, set[str]] = {}
    for service in ("gateway", *CONSUMERS):
        for name in constructed_contracts(service):
            publishing.setdefault(by_name[name].topic, set()).add(service)
    assert publishing == {topic: {service} for topic, service in PUBLISHERS.items()}


def test_the_consumers_are_the_services_the_stack_and_the_cluster_run():
    assert consumer_names() == list(CONSUMERS)
    kustomization = yaml.safe_load((ROOT / "k8s" / "dapr" / "kustomization.yaml").read_text())
    listed = {r for r in kustomization["resources"] if r.startswith("subscriptions/")}
    assert listed == {f"subscriptions/{c}.yaml" for c in CONSUMERS}


def test_the_local_stack_creates_the_topics_the_cluster_declares():
    declared = yaml.safe_load_all((ROOT / "k8s" / "kafka" / "topics.yaml").read_text())
    cluster = {t["spec"]["topicName"]: t["spec"]["config"]["retention.ms"] for t in declared}
    assert {t.name: str(t.retention_ms) for t in all_topics()} == cluster


def test_a_new_topic_is_one_line_plus_its_contract(monkeypatch: pytest.MonkeyPatch):
    before = whole_files(read_tables())
    # the one line, and a contract on the new topic (registered in a copy of the registry)
    monkeypatch.setitem(PUBLISHERS, "wish", "gateway")
    monkeypatch.setattr(shared.events, "EVENT_TYPES", dict(EVENT_TYPES))

    class WishMade(Event):
        topic: ClassVar[str] = "wish"
        event_name: ClassVar[str] = "wish.made"
        aggregate_field: ClassVar[str] = "wish_id"
        wish_id: UUID

    wish = WishMade.event_type()
    # notification's HANDLERS are every contract when it is imported (checked above)
    monkeypatch.setitem(notification_handlers.HANDLERS, wish, notification_handlers.fan_out)

    tables = read_tables()
    after = whole_files(tables)
    assert set(after) == set(before)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {
        "k8s/kafka/topics.yaml",
        *(
            f"{d}/subscriptions/{c}.yaml"
            for d in ("dapr", "k8s/dapr")
            for c in ("notification", "audit")
        ),
    }
    for consumer in ("notification", "audit"):
        text = after[f"dapr/subscriptions/{consumer}.yaml"]
        assert subscribed_topics(text) == {*TOPICS, "wish"}
        [subscription] = [
            s for s in yaml.safe_load_all(text) if s and s["metadata"]["name"] == f"{consumer}-wish"
        ]
        assert subscription["spec"]["deadLetterTopic"] == dead_letter_topic(consumer)
    topics = yaml.safe_load_all(after["k8s/kafka/topics.yaml"])
    [kafka_topic] = [t for t in topics if t["spec"]["topicName"] == "wish"]
    assert kafka_topic["spec"]["partitions"] == 6
    (_, catalogue), (_, compose) = (
        regions(tables)["README.md"],
        regions(tables)["docker-compose.yml"],
    )
    assert f"| `{wish}` | `wish` | gateway | `fan_out` | — | — | `record_entry` |" in catalogue
    assert " reminder wish; do" in compose


def test_a_file_without_its_markers_is_refused_rather_than_rewritten(tmp_path):
    for path in regions(read_tables()):
        (tmp_path / path).write_text("no markers here\n")
    with pytest.raises(Exception, match="lacks the lines"):
        expected(tmp_path, read_tables())
