"""the members an entry is only for (a gift exchange's pick: its giver alone)

Revision ID: 0006
Revises: 0005

Expand only: a column with an empty default, which the previous audit version neither writes nor reads
(its entries stay visible as before; the events it would log still carry `hidden_from`).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def upgrade() -> None:
    # on the partitioned table: every partition, present and future, gets the column
    op.add_column(
        "audit_entry",
        sa.Column("only_for", pg.ARRAY(UUID), nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    op.drop_column("audit_entry", "only_for")
