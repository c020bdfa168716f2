"""a lease on an occurrence being sent: claimed and committed before the gateway is asked

Revision ID: 0004
Revises: 0003

The sender held FOR UPDATE on a batch of occurrences for as long as it waited on the gateway. It now
sets `leased_until` in a short transaction of its own, asks the gateway with no transaction open, and
records the answer only while its lease is still the one on the row. A sender that dies mid-call
leaves a lease that runs out; the next one claims the occurrence again (the gateway's answer to a
repeated request is the occurrence it already made).

Expand only: the previous version ignores the column and still locks the rows it sends.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("occurrence", sa.Column("leased_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("occurrence", "leased_until")
