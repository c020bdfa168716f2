"""the processed-event inbox

Revision ID: 0001
Revises:
"""

from shared.migrations import create_processed_event, drop_processed_event

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_processed_event()


def downgrade() -> None:
    drop_processed_event()
