"""the mail channel: addresses, household time zones, choices per kind, and the mail outbox

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "mail_address",
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("user_id", name="pk_mail_address"),
    )
    op.create_table(
        "mail_household",
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("household_id", name="pk_mail_household"),
    )
    op.create_table(
        "mail_preference",
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("household_id", "user_id", "kind", name="pk_mail_preference"),
    )
    op.create_table(
        "mail_message",
        sa.Column("id", UUID, nullable=False),
        sa.Column("dedup_key", sa.Text, nullable=False),
        sa.Column("household_id", UUID),
        sa.Column("user_id", UUID),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("to_address", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("text_body", sa.Text, nullable=False),
        sa.Column("html_body", sa.Text, nullable=False),
        sa.Column("headers", pg.JSONB, nullable=False, server_default="{}"),
        sa.Column("hidden_persons", pg.ARRAY(UUID), nullable=False, server_default="{}"),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW
        ),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_mail_message"),
        sa.UniqueConstraint("dedup_key", name="uq_mail_message_dedup_key"),
    )
    op.create_index(
        "ix_mail_message_due",
        "mail_message",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_mail_message_household_id_user_id", "mail_message", ["household_id", "user_id"]
    )


def downgrade() -> None:
    for table in ("mail_message", "mail_preference", "mail_household", "mail_address"):
        op.drop_table(table)
