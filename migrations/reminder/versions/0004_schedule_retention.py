"""retention of the schedule: when each subject last changed, and indexes for pruning

Revision ID: 0004
Revises: 0003

Fired reminders and the last version applied of each task or occasion are kept only while an event
about them can still arrive (services/reminder/retention.py). Expand only: the previous version does
not know `changed_at`, and its default keeps it filled.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "subject",
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_subject_changed_at", "subject", ["changed_at"])
    op.create_index(
        "ix_reminder_fired_at",
        "reminder",
        ["fired_at"],
        postgresql_where=sa.text("fired_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_fired_at", "reminder")
    op.drop_index("ix_subject_changed_at", "subject")
    op.drop_column("subject", "changed_at")
