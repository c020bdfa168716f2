"""The tables the pub/sub configuration is made from, read from the code where they are kept:

- the topics and the service publishing each one: `shared.events.PUBLISHERS`;
- every event type and its topic: the contracts (`shared.events.EVENT_TYPES`);
- the consumers: every service with a `handlers.py`, each handling the event types of its `HANDLERS`
  and, if it has a `CATCH_ALL`, every event of every topic;
- one dead-letter topic per consumer (`shared.deadletters.dead_letter_topic`), and the settings below,
  the same for every topic of a kind.
"""

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass

import shared.events
from scripts.stack.topology import ROOT, SERVICES
from shared.deadletters import dead_letter_topic

PUBSUB = "pubsub"  # the component's name (dapr/components/pubsub.yaml)
EVENTS_ROUTE = "/events"  # shared.consumer.events_router
DEAD_LETTERS_ROUTE = "/deadletters"  # shared.deadletters.dead_letters_router
# how Dapr batches a bulk delivery: up to this many events, or what came within this many ms
BULK_MAX_MESSAGES = 200
BULK_MAX_AWAIT_MS = 20


@dataclass(frozen=True)
class KafkaTopic:
    name: str
    partitions: int
    retention_days: int
    why: str  # why it keeps its events that long

    @property
    def retention_ms(self) -> int:
        return self.retention_days * 24 * 3600 * 1000


# partitions bound how many replicas of one consumer share a topic's events
EVENT_PARTITIONS = 6


def event_topic(name: str, partitions: int = EVENT_PARTITIONS) -> KafkaTopic:
    # 7 days: within what every consumer's inbox remembers (ConsumerSettings.inbox_retention_days)
    return KafkaTopic(
        name, partitions, 7, "7 days for consumers to catch up; the audit log keeps the history"
    )


def dead_letter(consumer: str) -> KafkaTopic:
    return KafkaTopic(
        dead_letter_topic(consumer),
        1,
        30,
        f"30 days to inspect and replay what {consumer} could not handle",
    )


def kafka_topics(
    topics: list[str], consumers: list[str], partitions: int = EVENT_PARTITIONS
) -> list[KafkaTopic]:
    """Every topic a broker needs: one per aggregate, one dead-letter topic per consumer."""
    return [*(event_topic(t, partitions) for t in topics), *(dead_letter(c) for c in consumers)]


@dataclass(frozen=True)
class Consumer:
    name: str
    handlers: dict[str, str]  # event type -> the name of its handler
    catch_all: str | None = None  # the handler of every other event, of every topic

    def handler_of(self, event_type: str) -> str | None:
        return self.handlers.get(event_type, self.catch_all)


@dataclass(frozen=True)
class Tables:
    publishers: dict[str, str]  # topic -> the service publishing it, in the order topics are listed
    events: dict[str, str]  # event type -> its topic
    consumers: tuple[Consumer, ...]

    def topics_of(self, consumer: Consumer) -> list[str]:
        """What a consumer subscribes to: the topics of the events it handles."""
        if consumer.catch_all is not None:
            return list(self.publishers)
        handled = {self.events[event_type] for event_type in consumer.handlers}
        return [topic for topic in self.publishers if topic in handled]

    def kafka_topics(self) -> list[KafkaTopic]:
        return kafka_topics(list(self.publishers), [c.name for c in self.consumers])

    def catalogue(self) -> list[tuple[str, str]]:
        """(event type, topic) for every contract, topic by topic."""
        order = list(self.publishers)
        return sorted(self.events.items(), key=lambda event: order.index(event[1]))


def consumer_names() -> list[str]:
    """The services that consume events: those with a `handlers` module (same inner shape)."""
    return [s for s in SERVICES if (ROOT / "services" / s / "handlers.py").exists()]


def handler_table(service: str) -> dict[str, Callable]:
    """A consumer's handlers by event type: its `HANDLERS`, or what its `handlers(settings)` builds
    (with the settings' defaults, read from no environment: only the table's keys matter here)."""
    module = importlib.import_module(f"services.{service}.handlers")
    if hasattr(module, "HANDLERS"):
        return module.HANDLERS
    settings = importlib.import_module(f"services.{service}.config").Settings
    return module.handlers(settings.model_construct())


def handler_name(handler: Callable) -> str:
    if isinstance(handler, functools.partial):
        return handler.func.__name__
    return handler.__name__


def read_consumer(service: str) -> Consumer:
    module = importlib.import_module(f"services.{service}.handlers")
    catch_all = getattr(module, "CATCH_ALL", None)
    return Consumer(
        service,
        {event_type: handler_name(h) for event_type, h in handler_table(service).items()},
        catch_all.__name__ if catch_all is not None else None,
    )


def read_tables() -> Tables:
    return Tables(
        dict(shared.events.PUBLISHERS),
        {event_type: contract.topic for event_type, contract in shared.events.EVENT_TYPES.items()},
        tuple(read_consumer(s) for s in consumer_names()),
    )
