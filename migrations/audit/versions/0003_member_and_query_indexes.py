"""who is an admin of which household (read model), and indexes for the query API

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("household_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_member"),
    )
    # the query API reads one household newest first, optionally by actor; indexes on the
    # partitioned table are created on every partition, present and future
    op.execute(
        "CREATE INDEX ix_audit_entry_household_actor ON audit_entry (household_id, actor_id, recorded_at)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_audit_entry_household_actor")
    op.drop_table("member")
