"""chore rotation: who has and who did each task of a series, the rotation its next one is chosen
from, and the members who have left (passed over by rotations)

Revision ID: 0005
Revises: 0004

Expand only: new nullable or defaulted columns and a new table; the previous version ignores them
and goes on giving each next occurrence to whoever had the last.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("series_task", sa.Column("assignee_id", pg.UUID(as_uuid=True)))
    op.add_column("series_task", sa.Column("completed_by", pg.UUID(as_uuid=True)))
    op.add_column(
        "series_task",
        sa.Column(
            "rotation",
            pg.ARRAY(pg.UUID(as_uuid=True)),
            nullable=False,
            server_default=sa.text("'{}'::uuid[]"),
        ),
    )
    op.add_column("series_task", sa.Column("rotation_mode", sa.Text))
    op.create_table(
        "former_member",
        sa.Column("household_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_former_member"),
    )


def downgrade() -> None:
    op.drop_table("former_member")
    for column in ("rotation_mode", "rotation", "completed_by", "assignee_id"):
        op.drop_column("series_task", column)
