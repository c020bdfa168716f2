"""Task, reminder and recurrence events.

Task events are on the `task` topic, keyed by the task id; every one of them but `task.deleted` carries
the task as it is now (`TaskFacts`), so a consumer can act on any of them without calling back.
`revision` grows with every change of a task: a consumer that keeps state per task ignores an event
older than what it has already applied.

What a consumer computes with is validated as it is read, by the same types the gateway's requests
use (`shared.validation`): times within the calendar, IANA zones, bounded ISO 8601 durations for
reminder offsets, recurrence rules that can be expanded. An event that fails them can never be handled,
and is dead-lettered at once instead of retried.
"""

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import model_validator

from shared.events import Event
from shared.validation import CalendarDate, Duration, Moment, TimeZoneName
from shared.validation.rrules import FROM_DUE, RuleRefused, check_rule, to_local


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
    due_at: Moment | None = None
    timezone: TimeZoneName = (
        "UTC"  # the household's, for wall-time arithmetic on reminders and recurrence
    )
    reminder_offsets: tuple[Duration, ...] = ()  # canonical ISO 8601 durations before due_at
    rrule: str | None = None  # RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO"
    recurrence_mode: str | None = None  # "from_due" or "from_completion"
    series_id: UUID | None = (
        None  # the first task of a recurring series; set on every one of its tasks
    )
    occurrence_at: Moment | None = (
        None  # the occurrence a series task was made for (None for the first)
    )
    occasion_id: UUID | None = None
    person_id: UUID | None = None
    list_item_id: UUID | None = None
    created_by: UUID | None = None
    completed_at: Moment | None = None
    completed_by: UUID | None = None
    # members who take turns at a repeating task, in order, and how the next is chosen from them
    # ("round_robin" or "least_done"); the recurring service picks the next occurrence's assignee
    rotation: tuple[UUID, ...] = ()
    rotation_mode: str | None = None

    @model_validator(mode="after")
    def _rule_can_be_expanded(self):
        """The rule the recurring service will expand, read as the gateway read it (without expanding)."""
        if self.rrule is not None and self.due_at is not None:
            try:
                check_rule(
                    self.rrule,
                    to_local(self.due_at, ZoneInfo(self.timezone)),
                    self.recurrence_mode or FROM_DUE,
                )
            except RuleRefused as exc:
                raise ValueError(f"rrule {exc}") from None
        return self


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
    previous_due_at: Moment | None = None


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
    previous_date: CalendarDate
    next_date: CalendarDate
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
    offset: Duration  # ISO 8601 duration before the due time / occasion, e.g. "P1D"
    remind_at: datetime
    fired_at: datetime
    notify_user_ids: tuple[UUID, ...]
    person_ids: tuple[UUID, ...] = ()  # occasions: whom it is for
    snoozed_from: UUID | None = None

    def aggregate_id(self) -> UUID:
        # keyed by what it reminds of, so one task's reminders stay in order
        return self.task_id or self.occasion_id or self.reminder_id
