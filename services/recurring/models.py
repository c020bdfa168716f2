"""The recurring processor's tables, in its own schema: the series it tracks, the yearly occasions it
rolls over, and every occurrence it has asked the gateway for (what has been generated)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.db import service_metadata
from shared.inbox import processed_event_table

SCHEMA = "recurring"
metadata = service_metadata(SCHEMA)
processed_event = processed_event_table(metadata)


def _uuid(name: str, **kwargs) -> Column:
    return Column(name, UUID(as_uuid=True), **kwargs)


def _at(name: str, **kwargs) -> Column:
    return Column(name, DateTime(timezone=True), **kwargs)


household = Table(
    "household",
    metadata,
    _uuid("id", primary_key=True),
    Column("timezone", Text, nullable=False, server_default="UTC"),
)

# one recurring series: its rule is anchored at `anchor_at`, the due time of its first task (or of the
# task whose rule was last changed), so COUNT and UNTIL count from there
series = Table(
    "series",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("household_id", nullable=False),
    Column("rrule", Text, nullable=False),
    Column("mode", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    _at("anchor_at", nullable=False),
)

# each task of a series and whether its successor has been asked for (at most once)
series_task = Table(
    "series_task",
    metadata,
    _uuid("task_id", primary_key=True),
    _uuid("series_id", nullable=False, index=True),
    Column("revision", BigInteger, nullable=False),
    Column("occurrence_index", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("recurs", Boolean, nullable=False),
    _at("due_at"),
    _at("successor_due_at"),  # set once the successor is asked for
    Column("series_ended", Boolean, nullable=False, server_default=text("false")),
    # who has it, who did it, and whose turn the next one is chosen from (rotation.py)
    _uuid("assignee_id"),
    _uuid("completed_by"),
    Column(
        "rotation",
        ARRAY(UUID(as_uuid=True)),
        nullable=False,
        server_default=text("'{}'::uuid[]"),
    ),
    Column("rotation_mode", Text),
    Index(
        "ix_series_task_overdue",
        "due_at",
        postgresql_where=text(
            "recurs AND successor_due_at IS NULL AND NOT series_ended AND status = 'open'"
        ),
    ),
)

# members who have left a household: passed over by rotations until they join again
former_member = Table(
    "former_member",
    metadata,
    _uuid("household_id", primary_key=True),
    _uuid("user_id", primary_key=True),
)

yearly_occasion = Table(
    "yearly_occasion",
    metadata,
    _uuid("occasion_id", primary_key=True),
    _uuid("household_id", nullable=False),
    Column("first_date", Date, nullable=False),
    Column("occurs_on", Date, nullable=False),  # the occurrence to roll over once it has passed
    _at("rolls_at", nullable=False),  # when that day is over at home
)

# what has been generated: one row per (series, occurrence) or (occasion, date), sent to the gateway
# until it answers; the unique key makes a second request for the same occurrence impossible
occurrence = Table(
    "occurrence",
    metadata,
    _uuid("id", primary_key=True),
    Column("kind", Text, nullable=False),  # "task" or "occasion"
    _uuid("subject_id", nullable=False),  # the series or the occasion
    Column("occurrence", Text, nullable=False),  # the due instant or the date, ISO 8601
    Column("occurrence_index", Integer, nullable=False, server_default=text("0")),
    _uuid("source_id", nullable=False),  # the task it follows, or the occasion
    Column("payload", JSONB, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),  # pending, done, abandoned
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    _at("next_attempt_at", nullable=False, server_default=func.now()),
    _at("leased_until"),  # a sender is asking the gateway for it until then (generator.py)
    Column("last_error", Text),
    _at("created_at", nullable=False, server_default=func.now()),
    _at("done_at"),
    _uuid("result_id"),
    Index(
        "uq_occurrence_kind_subject_id_occurrence", "kind", "subject_id", "occurrence", unique=True
    ),
    Index("ix_occurrence_pending", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("ix_occurrence_done_at", "done_at", postgresql_where=text("done_at IS NOT NULL")),
)
