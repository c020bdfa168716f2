"""The dashboard: the upcoming occasions, who has a gift and who not yet, spend against budget,
and the caller's own claims and tasks, in one answer."""

import datetime as dt
import uuid
from decimal import Decimal

from sqlmodel import Field, SQLModel

from services.gateway.models.budgets import Spend
from services.gateway.models.claims import MyClaim
from services.gateway.models.exchanges import MyPick
from services.gateway.models.occasions import OccasionPublic


class BudgetAmount(SQLModel):
    amount: Decimal
    currency: str


class PersonCoverage(SQLModel):
    person_id: uuid.UUID
    name: str
    has_gift: bool = Field(
        description="Someone has claimed a gift for them, or moved one past 'idea'."
    )
    gift_count: int
    budget: BudgetAmount | None
    spend: list[Spend]


class UpcomingOccasion(SQLModel):
    occasion: OccasionPublic
    date: dt.date = Field(description="When it comes next.")
    days_until: int
    people: list[PersonCoverage] = Field(description="Whom it is for; never the caller themselves.")
    people_without_gift: list[uuid.UUID]
    spend: list[Spend] = Field(description="The people's spend added up, per currency.")


class TaskSummary(SQLModel):
    id: uuid.UUID
    title: str
    due_at: dt.datetime | None


class Dashboard(SQLModel):
    today: dt.date = Field(description="Today in the household's time zone.")
    occasions: list[UpcomingOccasion]
    my_claims: list[MyClaim] = Field(description="The caller's claims on items not given yet.")
    my_open_tasks: list[TaskSummary] = Field(
        default_factory=list,
        description="The caller's open tasks (assigned to them), soonest due first; at most 10.",
    )
    my_exchange_picks: list[MyPick] = Field(
        default_factory=list,
        description="Whom the caller gives to in gift exchanges whose day has not passed (and, as "
        "organizer, whom the people who are not members give to); never anyone else's pick.",
    )
