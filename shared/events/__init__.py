"""Event contracts: past-tense, versioned, frozen data. One class per event type.

Each event knows its topic (the aggregate it belongs to) and its CloudEvent `type`
(`giftflow.<name>.v<version>`). Consumers ignore fields they do not know. Contracts live in
one module per area (`household`, …); every subclass of `Event` is registered in EVENT_TYPES, and
every topic is declared once, in PUBLISHERS.
"""

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

TYPE_PREFIX = "giftflow."


class Event(BaseModel):
    """Base of every event. `hidden_from` lists the user ids the event must never reach (surprises);
    `hidden_persons` the people whose linked member must never see it, whoever is linked to them later;
    `only_for`, when not empty, the only members who may ever see it (a gift exchange's pick is its
    giver's alone: whoever joins the household later is not among them either)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: ClassVar[str]
    event_name: ClassVar[str]
    version: ClassVar[int] = 1
    # the field holding the id of the aggregate the event is about (see `aggregate_id`)
    aggregate_field: ClassVar[str]

    household_id: UUID
    actor_id: UUID | None = None
    hidden_from: tuple[UUID, ...] = Field(default_factory=tuple)
    hidden_persons: tuple[UUID, ...] = Field(default_factory=tuple)
    only_for: tuple[UUID, ...] = Field(default_factory=tuple)

    def may_reach(self, user_id: UUID) -> bool:
        """Whether the member may learn of this event at all (not counting `hidden_persons`, which
        depend on who is linked to whom when it is read)."""
        return user_id not in self.hidden_from and (not self.only_for or user_id in self.only_for)

    @classmethod
    def event_type(cls) -> str:
        return f"{TYPE_PREFIX}{cls.event_name}.v{cls.version}"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "event_name" in cls.__dict__:  # a concrete contract, not an intermediate base
            EVENT_TYPES[cls.event_type()] = cls

    def aggregate_id(self) -> UUID:
        """The id of the aggregate this event is about: CloudEvent subject and Kafka key, so one
        aggregate's events stay in order. A contract whose key is not one field overrides this."""
        return getattr(self, self.aggregate_field)


EVENT_TYPES: dict[str, type[Event]] = {}

# Every topic, one per aggregate (the Kafka key is the aggregate id), and the service whose outbox
# publishes it. A new topic is one line here, plus its contracts; `make pubsub` then writes the Kafka
# topics, every consumer's subscriptions and the README's event catalogue from it (scripts/pubsub).
PUBLISHERS: dict[str, str] = {
    "household": "gateway",
    "person": "gateway",
    "occasion": "gateway",
    "list": "gateway",
    "gift": "gateway",
    "list_item": "gateway",
    "claim": "gateway",
    "comment": "gateway",
    "task": "gateway",
    "exchange": "gateway",
    "history": "gateway",
    "account": "gateway",
    "reminder": "reminder",
}

TOPICS: tuple[str, ...] = tuple(PUBLISHERS)


def split_type(event_type: str) -> tuple[str, int] | None:
    """`giftflow.gift.claimed.v1` -> ("gift.claimed", 1); None when it is not one of ours."""
    if not event_type.startswith(TYPE_PREFIX):
        return None
    name, _, version = event_type[len(TYPE_PREFIX) :].rpartition(".v")
    if not name or not version.isdigit():
        return None
    return name, int(version)


# every contract module, so that importing shared.events registers all of them
from shared.events import accounts, exchanges, gifting, history, household, tasks  # noqa: E402,F401
from shared.events.household import HouseholdCreated  # noqa: E402,F401
