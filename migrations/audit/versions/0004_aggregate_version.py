"""each entry keeps its event's aggregate version

Revision ID: 0004
Revises: 0003

Entries are numbered in the order they arrive; the version says where the event stands among its
aggregate's events in commit order (see shared.outbox). Expand only: the previous version leaves it null.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("aggregate_version", sa.BigInteger))


def downgrade() -> None:
    op.drop_column("audit_entry", "aggregate_version")
