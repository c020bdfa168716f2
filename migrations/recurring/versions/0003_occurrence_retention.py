"""retention of what has been generated: an index to find answered requests by when they were answered

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_occurrence_done_at",
        "occurrence",
        ["done_at"],
        postgresql_where=sa.text("done_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_occurrence_done_at", "occurrence")
