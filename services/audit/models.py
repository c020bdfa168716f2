"""The audit logger's tables, in its own schema. `audit_entry` is append-only and partitioned by
month of `recorded_at`, so retention drops whole partitions instead of deleting rows. `member` is a
read model of who belongs to which household with which role, kept from membership events: the query
API is for admins only, and a consumer never reads the gateway's schema. `person_link`, kept from person
events, says which member each person is now: an entry is never shown to a member linked to one of its
`hidden_persons`, however long after the entry that link was made."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.db import service_metadata
from shared.inbox import processed_event_table
from shared.person_links import person_link_table

SCHEMA = "audit"
metadata = service_metadata(SCHEMA)
processed_event = processed_event_table(metadata)

audit_entry = Table(
    "audit_entry",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("recorded_at", DateTime(timezone=True), primary_key=True, server_default=func.now()),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", Text, nullable=False),
    Column("subject", Text),
    Column("household_id", UUID(as_uuid=True)),
    Column("actor_id", UUID(as_uuid=True)),
    Column("hidden_from", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("hidden_persons", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    # when not empty, the only members who may ever read the entry (a gift exchange's pick)
    Column("only_for", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("occurred_at", DateTime(timezone=True)),
    Column("data", JSONB, nullable=False),
    Column(
        "aggregate_version", BigInteger
    ),  # where the event stands among its aggregate's, in commit order
    postgresql_partition_by="RANGE (recorded_at)",
)

member = Table(
    "member",
    metadata,
    Column("household_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("role", Text, nullable=False),
    PrimaryKeyConstraint("household_id", "user_id"),
)

person_link = person_link_table(metadata)
