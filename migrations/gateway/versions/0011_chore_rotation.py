"""chore rotation: the members who take turns at a repeating task, and how the next one is chosen

Revision ID: 0011
Revises: 0010

Expand only: both columns have defaults (no rotation), so the previous gateway version still makes
and reads tasks on this schema; what it makes simply does not rotate.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "task",
        sa.Column(
            "rotation",
            pg.ARRAY(pg.UUID(as_uuid=True)),
            nullable=False,
            server_default=sa.text("'{}'::uuid[]"),
        ),
    )
    op.add_column("task", sa.Column("rotation_mode", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("task", "rotation_mode")
    op.drop_column("task", "rotation")
