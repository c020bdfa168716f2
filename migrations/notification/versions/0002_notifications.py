"""members and names read models, preferences, per-member streams and notifications

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def _now() -> sa.Column:
    return sa.func.now()


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_member"),
    )
    op.create_table(
        "entity_name",
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("entity", "id", name="pk_entity_name"),
    )
    op.create_table(
        "preference",
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("disabled_kinds", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("muted_list_ids", pg.ARRAY(UUID), nullable=False, server_default="{}"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_preference"),
    )
    op.create_table(
        "stream_position",
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_stream_position"),
    )
    op.create_table(
        "stream_message",
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("data", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("household_id", "user_id", "seq", name="pk_stream_message"),
    )
    op.create_index("ix_stream_message_created_at", "stream_message", ["created_at"])
    op.create_table(
        "notification",
        sa.Column("id", UUID, nullable=False),
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", UUID, nullable=False),
        sa.Column("list_id", UUID),
        sa.Column("actor_id", UUID),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
        sa.UniqueConstraint(
            "household_id", "user_id", "seq", name="uq_notification_household_id_user_id_seq"
        ),
    )
    op.create_index(
        "ix_notification_unread",
        "notification",
        ["household_id", "user_id"],
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_index("ix_notification_created_at", "notification", ["created_at"])


def downgrade() -> None:
    for table in (
        "notification",
        "stream_message",
        "stream_position",
        "preference",
        "entity_name",
        "member",
    ):
        op.drop_table(table)
