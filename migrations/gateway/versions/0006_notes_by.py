"""who wrote a gift's and a list item's notes: a recipient reads only notes they wrote themselves

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, writer in (("gift", "created_by"), ("list_item", "added_by")):
        op.add_column(table, sa.Column("notes_by", pg.UUID(as_uuid=True), nullable=True))
        op.create_foreign_key(
            f"fk_{table}_notes_by_user_account",
            table,
            "user_account",
            ["notes_by"],
            ["id"],
            ondelete="SET NULL",
        )
        # until now notes were taken to be their row's maker's
        op.execute(f"UPDATE {table} SET notes_by = {writer} WHERE notes IS NOT NULL")


def downgrade() -> None:
    for table in ("gift", "list_item"):
        op.drop_constraint(f"fk_{table}_notes_by_user_account", table)
        op.drop_column(table, "notes_by")
