"""The mail channel's tables, on the notification service's metadata (its schema, its migrations).

* `mail_address`: each user's address, opened from the sealed field of their membership events.
* `mail_household`: each household's time zone, so a mail speaks of its dates as the family does.
* `mail_preference`: a member's choice per kind: `off`, `now`, `daily`, `weekly`; a kind without a row
  takes its default.
* `mail_digest_time`: a member's digest time (hour, weekday) when they chose one; else the default.
* `mail_digest_entry`: a notification a digest mode holds back (unique `dedup_key`, the event and the
  member), until a digest carries it (`digest_key`, the digest's own dedup key).
* `mail_message`: the outbox. A row is written when a mail is decided (unique `dedup_key`, so an event
  redelivered adds nothing) and moves `pending` → `sent`, or `failed` for good, or `cancelled` when
  its recipient may no longer read it (linked since to a person it was kept from).
"""

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from services.notification.models import metadata

mail_address = Table(
    "mail_address",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("address", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

mail_household = Table(
    "mail_household",
    metadata,
    Column("household_id", UUID(as_uuid=True), primary_key=True),
    Column("timezone", Text, nullable=False),
)

mail_preference = Table(
    "mail_preference",
    metadata,
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("mode", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("household_id", "user_id", "kind"),
)

mail_message = Table(
    "mail_message",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("dedup_key", Text, nullable=False, unique=True),
    Column("household_id", UUID(as_uuid=True)),
    Column("user_id", UUID(as_uuid=True)),
    Column("kind", Text, nullable=False),
    Column("to_address", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text, nullable=False),
    Column("headers", JSONB, nullable=False, server_default="{}"),
    Column("hidden_persons", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Index(
        "ix_mail_message_due",
        "next_attempt_at",
        postgresql_where=text("status = 'pending'"),
    ),
    Index("ix_mail_message_household_id_user_id", "household_id", "user_id"),
)

mail_digest_time = Table(
    "mail_digest_time",
    metadata,
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("hour", SmallInteger, nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("chosen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("household_id", "user_id"),
    CheckConstraint("hour BETWEEN 0 AND 23", name="hour"),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
)

mail_digest_entry = Table(
    "mail_digest_entry",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("dedup_key", Text, nullable=False, unique=True),
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("hidden_persons", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("digest_key", Text),
    Index(
        "ix_mail_digest_entry_held",
        "household_id",
        "user_id",
        "created_at",
        postgresql_where=text("digest_key IS NULL"),
    ),
)
