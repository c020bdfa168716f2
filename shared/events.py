"""Event contracts: past-tense, versioned, frozen data. One class per event type.

Each event knows its topic (the aggregate it belongs to) and its CloudEvent `type`
(`giftflow.<name>.v<version>`). Consumers ignore fields they do not know.
"""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

TYPE_PREFIX = "giftflow."


class Event(BaseModel):
    """Base of every event. `hidden_from` lists the user ids the event must never reach (surprises)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: ClassVar[str]
    event_name: ClassVar[str]
    version: ClassVar[int] = 1

    household_id: UUID
    actor_id: UUID | None = None
    hidden_from: tuple[UUID, ...] = Field(default_factory=tuple)

    @classmethod
    def event_type(cls) -> str:
        return f"{TYPE_PREFIX}{cls.event_name}.v{cls.version}"

    def aggregate_id(self) -> UUID:
        """The id of the aggregate this event is about: CloudEvent subject and Kafka key."""
        raise NotImplementedError


class HouseholdCreated(Event):
    topic: ClassVar[str] = "household"
    event_name: ClassVar[str] = "household.created"

    name: str
    created_at: datetime

    def aggregate_id(self) -> UUID:
        return self.household_id


EVENT_TYPES: dict[str, type[Event]] = {cls.event_type(): cls for cls in (HouseholdCreated,)}

TOPICS: tuple[str, ...] = (
    "household", "person", "occasion", "list", "gift", "list_item", "claim", "comment", "task",
    "reminder",
)


def split_type(event_type: str) -> tuple[str, int] | None:
    """`giftflow.gift.claimed.v1` -> ("gift.claimed", 1); None when it is not one of ours."""
    if not event_type.startswith(TYPE_PREFIX):
        return None
    name, _, version = event_type[len(TYPE_PREFIX):].rpartition(".v")
    if not name or not version.isdigit():
        return None
    return name, int(version)
