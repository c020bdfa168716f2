"""the outbox in commit order: a sequence number per event, taken under its aggregate's lock

Revision ID: 0003
Revises: 0002

Why, and how: shared.migrations.order_outbox_by_commit.
"""

from shared.migrations import order_outbox_by_commit, order_outbox_by_creation

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    order_outbox_by_commit()


def downgrade() -> None:
    order_outbox_by_creation()
