"""Household events."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from shared.events import Event


class HouseholdCreated(Event):
    topic: ClassVar[str] = "household"
    event_name: ClassVar[str] = "household.created"

    name: str
    created_at: datetime

    def aggregate_id(self) -> UUID:
        return self.household_id
