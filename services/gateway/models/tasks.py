"""Household tasks: due times, reminders, recurrence, links to what they are about; and the dates yearly
occasions have rolled over to."""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints
from sqlalchemy import Column, Computed, Date, DateTime, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from shared.validation import Duration, FreeText, Line, Moment, PositiveDuration
from shared.validation.moments import RANGE

MAX_REMINDERS = 10
MAX_ROTATION = 20


# an empty repeat rule is no repeat rule ("" from a cleared form field), not a rule to refuse later
RepeatRule = Annotated[str, StringConstraints(max_length=500)]


def _no_rule_if_empty(value: object) -> object:
    return (value.strip() or None) if isinstance(value, str) else value


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class RecurrenceMode(StrEnum):
    FROM_DUE = "from_due"  # the next one falls on the rule's next date after this one's due time
    FROM_COMPLETION = "from_completion"  # the next one counts from the day this one was done


class RotationMode(StrEnum):
    ROUND_ROBIN = "round_robin"  # each in turn, in the order chosen
    LEAST_DONE = "least_done"  # whoever of them has done this chore least often


def _distinct(values: list | None) -> list | None:
    """Durations come canonical (`P7D` and `P1W` are both P7D): one reminder each; one turn each."""
    return None if values is None else list(dict.fromkeys(values))


DUE_DOC = (
    "When it is due, with a UTC offset or Z (e.g. 2026-12-23T18:00:00+01:00), "
    + RANGE
    + ". A time "
    "without an offset is refused: it is ambiguous across daylight-saving changes."
)
REMINDERS_DOC = (
    "ISO 8601 durations before the due time, whole units, at most a year: P1D (a day), PT2H (two "
    "hours), P1W, P1DT12H. Needs a due time."
)
RRULE_DOC = (
    "An RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO or FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6, read in the "
    "household's time zone from the due time. Needs a due time. DAILY, WEEKLY, MONTHLY or YEARLY; "
    "days picked with BYDAY, BYMONTHDAY, BYMONTH and BYSETPOS; INTERVAL up to 999, COUNT up to 1000."
)
ROTATION_DOC = (
    "Members who take turns at a repeating task, in order: each next occurrence is given to one of "
    "them (see rotation_mode). Needs a repeat rule. A member who leaves drops out."
)
ROTATION_MODE_DOC = (
    "How the next one is chosen from the rotation: round_robin (the one after whoever had it last) "
    "or least_done (whoever has done this chore least often; ties go in turn). Needs a rotation."
)
Reminders = Annotated[list[Duration], AfterValidator(_distinct)]
Rotation = Annotated[list[uuid.UUID], AfterValidator(_distinct)]


class TaskBase(SQLModel):
    title: Line = Field(min_length=1, max_length=200)
    notes: FreeText | None = Field(default=None, max_length=4000)
    assignee_id: uuid.UUID | None = Field(default=None, description="A member of the household.")
    occasion_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    list_item_id: uuid.UUID | None = None


class TaskCreate(TaskBase):
    due_at: Moment | None = Field(default=None, description=DUE_DOC)
    reminders: Reminders = Field(
        default_factory=list, max_length=MAX_REMINDERS, description=REMINDERS_DOC
    )
    rrule: Annotated[RepeatRule | None, BeforeValidator(_no_rule_if_empty)] = Field(
        default=None, description=RRULE_DOC
    )
    recurrence_mode: RecurrenceMode = RecurrenceMode.FROM_DUE
    rotation: Rotation = Field(
        default_factory=list, max_length=MAX_ROTATION, description=ROTATION_DOC
    )
    rotation_mode: RotationMode | None = Field(default=None, description=ROTATION_MODE_DOC)


class TaskUpdate(SQLModel):
    """Only the fields sent change; `null` clears an optional one."""

    title: Line | None = Field(default=None, min_length=1, max_length=200)
    notes: FreeText | None = Field(default=None, max_length=4000)
    assignee_id: uuid.UUID | None = None
    occasion_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    list_item_id: uuid.UUID | None = None
    due_at: Moment | None = Field(default=None, description=DUE_DOC)
    reminders: Reminders | None = Field(
        default=None, max_length=MAX_REMINDERS, description=REMINDERS_DOC
    )
    rrule: Annotated[RepeatRule | None, BeforeValidator(_no_rule_if_empty)] = Field(
        default=None, description=RRULE_DOC
    )
    recurrence_mode: RecurrenceMode | None = None
    rotation: Rotation | None = Field(
        default=None, max_length=MAX_ROTATION, description=ROTATION_DOC
    )
    rotation_mode: RotationMode | None = Field(default=None, description=ROTATION_MODE_DOC)


class Task(GatewayModel, table=True):
    __table_args__ = (
        UniqueConstraint("series_id", "occurrence_at", name="uq_task_series_id_occurrence_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    household_id: uuid.UUID = Field(
        foreign_key="gateway.household.id", ondelete="CASCADE", index=True
    )
    title: str = Field(sa_type=Text)
    notes: str | None = Field(default=None, sa_type=Text)
    assignee_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    due_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # kept by Postgres: the order lists are read in (no due time sorts last)
    due_sort: dt.datetime | None = Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True),
            Computed("coalesce(due_at, to_timestamp(253402214400))", persisted=True),
        ),
    )
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=Text)
    completed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    completed_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    occasion_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.occasion.id", ondelete="SET NULL"
    )
    person_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.person.id", ondelete="SET NULL"
    )
    list_item_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.list_item.id", ondelete="SET NULL"
    )
    reminders: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    rrule: str | None = Field(default=None, sa_type=Text)
    recurrence_mode: RecurrenceMode | None = Field(default=None, sa_type=Text)
    rotation: list[uuid.UUID] = Field(
        default_factory=list,
        sa_column=Column(
            ARRAY(PgUUID(as_uuid=True)), nullable=False, server_default=text("'{}'::uuid[]")
        ),
    )
    rotation_mode: RotationMode | None = Field(default=None, sa_type=Text)
    series_id: uuid.UUID | None = Field(default=None, index=True)  # the series' first task
    occurrence_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    previous_task_id: uuid.UUID | None = Field(default=None, sa_column_kwargs={"unique": True})
    revision: int = Field(
        default=1, sa_column=Column(Integer, nullable=False, server_default=text("1"))
    )
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())


class TaskPublic(TaskBase):
    title: str  # as stored: what was taken before the input rules were tightened still reads
    notes: str | None = None
    id: uuid.UUID
    household_id: uuid.UUID
    due_at: dt.datetime | None
    status: TaskStatus
    completed_at: dt.datetime | None
    completed_by: uuid.UUID | None
    reminders: list[str]
    rrule: str | None
    recurrence_mode: RecurrenceMode | None
    rotation: list[uuid.UUID] = Field(default_factory=list, description=ROTATION_DOC)
    rotation_mode: RotationMode | None = None
    series_id: uuid.UUID | None
    occurrence_at: dt.datetime | None = Field(
        description="For a task generated by its series: the occurrence it is."
    )
    previous_task_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class NextOccurrence(SQLModel):
    occurrence_due_at: Moment
    # the rotation's pick; left out, the next one goes to whoever has this one (null: to nobody yet)
    assignee_id: uuid.UUID | None = None


class TaskDone(SQLModel):
    """One occurrence of a chore that was done, and by whom."""

    task_id: uuid.UUID
    due_at: dt.datetime | None
    assignee_id: uuid.UUID | None
    completed_by: uuid.UUID | None
    completed_at: dt.datetime


class DoneCount(SQLModel):
    user_id: uuid.UUID
    done: int


class TaskHistory(SQLModel):
    """Who did a chore when: its series' done occurrences, latest first, and how often each member
    has done it (the members of its rotation too, at 0 if never)."""

    series_id: uuid.UUID | None = Field(
        description="The series; null for a task that does not repeat."
    )
    counts: list[DoneCount] = Field(description="Most done first.")
    done: list[TaskDone] = Field(description="The latest 100 at most.")


class OccasionOccurrence(GatewayModel, table=True):
    """A yearly occasion rolled over: each (occasion, date) once, however often it is asked."""

    __tablename__ = "occasion_occurrence"

    occasion_id: uuid.UUID = Field(
        foreign_key="gateway.occasion.id", ondelete="CASCADE", primary_key=True
    )
    occurs_on: dt.date = Field(sa_column=Column(Date, primary_key=True))
    previous_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=timestamp())


class RollOver(SQLModel):
    previous_date: dt.date
    next_date: dt.date


class SnoozeRequest(SQLModel):
    until: Moment | None = Field(
        default=None, description="When to remind me again, with a UTC offset."
    )
    snooze_for: PositiveDuration | None = Field(
        default=None,
        alias="for",
        description="Or: how long from now, up to a year, e.g. PT15M, P1D.",
    )

    model_config = {"populate_by_name": True}


class SnoozePublic(SQLModel):
    reminder_id: uuid.UUID
    snoozed_from: uuid.UUID
    remind_at: dt.datetime
