"""The reminder service's tables, in its own schema: the schedule, what it knows of households and
of what it reminds of, and its own outbox for `reminder.triggered`."""

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Index, Table, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from shared.db import service_metadata
from shared.inbox import processed_event_table
from shared.outbox import outbox_table

SCHEMA = "reminder"
metadata = service_metadata(SCHEMA)
processed_event = processed_event_table(metadata)
outbox = outbox_table(metadata)


def _uuid(name: str, **kwargs) -> Column:
    return Column(name, UUID(as_uuid=True), **kwargs)


def _uuids(name: str, **kwargs) -> Column:
    return Column(name, ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}", **kwargs)


# what fires when, and whether it has: the database is the schedule's only source of truth
reminder = Table(
    "reminder",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("household_id", nullable=False),
    Column("subject_kind", Text, nullable=False),  # "task" or "occasion"
    _uuid("subject_id", nullable=False),
    Column("title", Text, nullable=False),
    Column("offset", Text, nullable=False),  # ISO 8601 duration before the due time
    Column("due_at", DateTime(timezone=True)),  # tasks
    Column("occasion_date", Date),  # occasions
    Column("remind_at", DateTime(timezone=True), nullable=False),
    Column("fired_at", DateTime(timezone=True)),
    _uuid("assignee_id"),
    _uuids("hidden_from"),
    _uuids("person_ids"),
    Column("notify_user_ids", ARRAY(UUID(as_uuid=True))),  # set for a snooze: whoever snoozed it
    _uuid("snoozed_from"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_reminder_pending", "remind_at", postgresql_where=text("fired_at IS NULL")),
    Index("ix_reminder_subject", "subject_kind", "subject_id"),
    Index("ix_reminder_fired_at", "fired_at", postgresql_where=text("fired_at IS NOT NULL")),
    Index(
        "uq_reminder_occurrence",
        "subject_kind",
        "subject_id",
        "offset",
        "remind_at",
        unique=True,
        postgresql_where=text("snoozed_from IS NULL"),
    ),
)

# the last version of each task or occasion applied, so an event that arrives late changes nothing
subject = Table(
    "subject",
    metadata,
    Column("kind", Text, primary_key=True),
    _uuid("id", primary_key=True),
    _uuid("household_id", nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_subject_changed_at", "changed_at"),
)

household = Table(
    "household",
    metadata,
    _uuid("id", primary_key=True),
    Column("timezone", Text, nullable=False, server_default="UTC"),
)

household_member = Table(
    "household_member",
    metadata,
    _uuid("household_id", primary_key=True),
    _uuid("user_id", primary_key=True),
)

# people the household gives to who are members: an occasion's reminder is kept from them
person_link = Table(
    "person_link",
    metadata,
    _uuid("person_id", primary_key=True),
    _uuid("household_id", nullable=False),
    _uuid("user_id", nullable=False),
)
