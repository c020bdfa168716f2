"""invitations keep the address their join link was mailed to, so an admin can tell them apart

Revision ID: 0013
Revises: 0012

Expand only: a nullable column the previous gateway version neither writes nor reads.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invitation", sa.Column("email", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("invitation", "email")
