"""sign-in trust: failed logins remember the familiar browser they came from; the addresses each account
signed in from

Revision ID: 0007
Revises: 0006

Expand only: the previous gateway version still runs on this schema (its failed logins simply have no
device, which is what an unfamiliar browser's are).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("login_attempt", sa.Column("device_id", sa.Text, nullable=True))
    op.create_index(
        "ix_login_attempt_device_id_attempted_at",
        "login_attempt",
        ["device_id", "attempted_at"],
        postgresql_where=sa.text("device_id IS NOT NULL"),
    )

    op.create_table(
        "known_address",
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("client_ip", sa.Text, nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "client_ip", name="pk_known_address"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            ondelete="CASCADE",
            name="fk_known_address_user_id_user_account",
        ),
    )


def downgrade() -> None:
    op.drop_table("known_address")
    op.drop_index("ix_login_attempt_device_id_attempted_at", "login_attempt")
    op.drop_column("login_attempt", "device_id")
