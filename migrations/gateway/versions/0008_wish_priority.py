"""wish priority: how much each wish is wanted, so a list shows the most wanted first

Revision ID: 0008
Revises: 0007

Expand only: the column has a default, so the previous gateway version still adds items (as normal)
and reads lists on this schema. Stored as a rank (1 most wanted, 2 normal, 3 nice to have) so a list
pages by it with the index below.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "list_item",
        sa.Column("priority", sa.SmallInteger, nullable=False, server_default=sa.text("2")),
    )
    op.create_check_constraint("ck_list_item_priority", "list_item", "priority BETWEEN 1 AND 3")
    op.create_index(
        "ix_list_item_list_id_priority_created_at_id",
        "list_item",
        ["list_id", "priority", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_list_item_list_id_priority_created_at_id", "list_item")
    op.drop_constraint("ck_list_item_priority", "list_item")
    op.drop_column("list_item", "priority")
