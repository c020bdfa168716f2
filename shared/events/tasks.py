"""Task, reminder and recurrence events.

Task events are on the `task` topic, keyed by the task id; every one of them but `task.deleted` carries
the task as it is now (`TaskFacts`), so a consumer can act on any of them without calling back.
`revision` grows with every change of a task: a consumer that keeps state per task ignores an event
older than what it has already applied.

Reminder offsets are ISO 8601 durations before the due time (`P1D`, `PT2H`, `P1W`, `P1DT12H`);
`parse_offset` is the one reading of that format, shared by whoever writes and whoever reads them.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from shared.events import Event

# whole numbers only: a reminder "1.5 days before" is written P1DT12H
_DURATION = re.compile(
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)


@dataclass(frozen=True)
class Offset:
    """How long before a due time: calendar parts (in the household's wall time) and clock parts."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    def iso(self) -> str:
        """The canonical spelling, so that `P7D` and `P1W` are not both scheduled."""
        days = self.weeks * 7 + self.days
        seconds = self.hours * 3600 + self.minutes * 60 + self.seconds
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        date_part = "".join(f"{n}{u}" for n, u in ((self.years, "Y"), (self.months, "M"), (days, "D")) if n)
        time_part = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
        if not date_part and not time_part:
            return "PT0S"
        return f"P{date_part}" + (f"T{time_part}" if time_part else "")


def parse_offset(text: str) -> Offset:
    """An ISO 8601 duration such as `P1D`, `PT2H` or `P1W`; ValueError says what is wrong."""
    match = _DURATION.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"{text!r} is not an ISO 8601 duration in whole units, like P1D (a day), PT2H (two hours) or P1W"
        )
    return Offset(**{k: int(v) for k, v in match.groupdict().items() if v is not None})


# tasks -------------------------------------------------------------------------------------------
class TaskEvent(Event):
    topic: ClassVar[str] = "task"
    aggregate_field: ClassVar[str] = "task_id"

    task_id: UUID


class TaskFacts(TaskEvent):
    """The task as it is after the change."""

    revision: int
    title: str
    status: str  # "open" or "done"
    assignee_id: UUID | None = None
    due_at: datetime | None = None
    timezone: str = "UTC"  # the household's, for wall-time arithmetic on reminders and recurrence
    reminder_offsets: tuple[str, ...] = ()  # canonical ISO 8601 durations before due_at
    rrule: str | None = None  # RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO"
    recurrence_mode: str | None = None  # "from_due" or "from_completion"
    series_id: UUID | None = None  # the first task of a recurring series; set on every one of its tasks
    occurrence_at: datetime | None = None  # the occurrence a series task was made for (None for the first)
    occasion_id: UUID | None = None
    person_id: UUID | None = None
    list_item_id: UUID | None = None
    created_by: UUID | None = None
    completed_at: datetime | None = None


class TaskCreated(TaskFacts):
    event_name: ClassVar[str] = "task.created"


class TaskUpdated(TaskFacts):
    """Title, notes, assignee or links changed: nothing that moves a reminder or the recurrence."""

    event_name: ClassVar[str] = "task.updated"

    changed: tuple[str, ...] = ()


class TaskRescheduled(TaskFacts):
    """The due time, the reminders or the recurrence changed (other fields may have changed too)."""

    event_name: ClassVar[str] = "task.rescheduled"

    changed: tuple[str, ...] = ()
    previous_due_at: datetime | None = None


class TaskCompleted(TaskFacts):
    event_name: ClassVar[str] = "task.completed"


class TaskReopened(TaskFacts):
    event_name: ClassVar[str] = "task.reopened"


class TaskDeleted(TaskEvent):
    event_name: ClassVar[str] = "task.deleted"

    revision: int
    series_id: UUID | None = None


# occasions coming round again --------------------------------------------------------------------
class OccasionRolledOver(Event):
    """A yearly occasion has passed and its next date is recorded (the occasion itself is unchanged)."""

    topic: ClassVar[str] = "occasion"
    event_name: ClassVar[str] = "occasion.rolled_over"
    aggregate_field: ClassVar[str] = "occasion_id"

    occasion_id: UUID
    name: str
    kind: str
    previous_date: date
    next_date: date
    person_ids: tuple[UUID, ...] = ()


# reminders ---------------------------------------------------------------------------------------
class ReminderTriggered(Event):
    """A reminder came due: tell `notify_user_ids` (never anyone in `hidden_from`).

    Exactly one of `task_id` and `occasion_id` is set. A reminder can be snoozed by `reminder_id`;
    a snoozed reminder fires again as a new `reminder.triggered` with `snoozed_from` set.
    """

    topic: ClassVar[str] = "reminder"
    event_name: ClassVar[str] = "reminder.triggered"

    reminder_id: UUID
    task_id: UUID | None = None
    occasion_id: UUID | None = None
    title: str
    due_at: datetime | None = None  # tasks
    occasion_date: date | None = None  # occasions: the date it falls on this time
    offset: str  # ISO 8601 duration before the due time / occasion, e.g. "P1D"
    remind_at: datetime
    fired_at: datetime
    notify_user_ids: tuple[UUID, ...]
    person_ids: tuple[UUID, ...] = ()  # occasions: whom it is for
    snoozed_from: UUID | None = None

    def aggregate_id(self) -> UUID:
        # keyed by what it reminds of, so one task's reminders stay in order
        return self.task_id or self.occasion_id or self.reminder_id
