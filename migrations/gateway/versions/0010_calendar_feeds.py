"""calendar feeds: a member's private iCalendar subscription addresses (the token's hash only)

Revision ID: 0010
Revises: 0009

Expand only: a new table the previous gateway version never reads.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("household_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_feed"),
        sa.UniqueConstraint("token_hash", name="uq_calendar_feed_token_hash"),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            ondelete="CASCADE",
            name="fk_calendar_feed_household_id_household",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            ondelete="CASCADE",
            name="fk_calendar_feed_user_id_user_account",
        ),
    )
    op.create_index("ix_calendar_feed_household_id", "calendar_feed", ["household_id"])


def downgrade() -> None:
    op.drop_table("calendar_feed")
