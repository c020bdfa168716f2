"""The notification service's tables, in its own schema.

* `member`, `entity_name`, `person_link`: read models built from events (who is in a household, what
  things are called, which member each person is), since a consumer never reads the gateway's schema.
* `preference`: what each member wants to be told.
* `stream_position`, `stream_message`: each member's stream, numbered by a per-member sequence so a
  reconnect replays exactly what it missed; `notification`: the member's notifications with read state.
  Both keep `hidden_persons`, the people whose member must never see them: linking one of those people
  to a member later takes the member's copies away.
* `parked_event`: events that came before their household did (topics keep no order between them),
  kept until the household's creation or a member's joining arrives, then handled in arrival order
  (see `parking`).
"""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.db import service_metadata
from shared.inbox import processed_event_table
from shared.person_links import person_link_table

SCHEMA = "notification"
metadata = service_metadata(SCHEMA)
processed_event = processed_event_table(metadata)

member = Table(
    "member",
    metadata,
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("role", Text, nullable=False),
    Column("display_name", Text),
    Column("joined_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("household_id", "user_id"),
)

entity_name = Table(
    "entity_name",
    metadata,
    Column("entity", Text, nullable=False),
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("name", Text, nullable=False),
    PrimaryKeyConstraint("entity", "id"),
)

person_link = person_link_table(metadata)

preference = Table(
    "preference",
    metadata,
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("disabled_kinds", ARRAY(Text), nullable=False, server_default="{}"),
    Column("muted_list_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("household_id", "user_id"),
)

stream_position = Table(
    "stream_position",
    metadata,
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("household_id", "user_id"),
)

stream_message = Table(
    "stream_message",
    metadata,
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("event", Text, nullable=False),  # the SSE `event:` field: notification, entity_changed
    Column("data", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("hidden_persons", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    PrimaryKeyConstraint("household_id", "user_id", "seq"),
    Index("ix_stream_message_created_at", "created_at"),
)

notification = Table(
    "notification",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("entity_id", UUID(as_uuid=True), nullable=False),
    Column("list_id", UUID(as_uuid=True)),
    Column("actor_id", UUID(as_uuid=True)),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("read_at", DateTime(timezone=True)),
    Column("hidden_persons", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    UniqueConstraint("household_id", "user_id", "seq"),
    Index(
        "ix_notification_unread",
        "household_id",
        "user_id",
        postgresql_where=text("read_at IS NULL"),
    ),
    Index("ix_notification_created_at", "created_at"),
)

parked_event = Table(
    "parked_event",
    metadata,
    Column("position", BigInteger, Identity(always=True), nullable=False),
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("cloudevent", JSONB, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("position"),
    Index("ix_parked_event_household_id_position", "household_id", "position"),
    Index("ix_parked_event_parked_at", "parked_at"),
)

# the mail channel's tables live beside the rest of the schema (services/notification/mail/tables.py)
from services.notification.mail import tables as _mail_tables  # noqa: E402,F401
