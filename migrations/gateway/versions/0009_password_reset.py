"""password reset requests: throttled per address and client, the link's secret kept as a hash

Revision ID: 0009
Revises: 0008

Expand only: a new table the previous gateway version never reads.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def timestamptz(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("client_ip", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=True),
        timestamptz("requested_at"),
        timestamptz("expires_at"),
        timestamptz("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_password_reset"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            ondelete="CASCADE",
            name="fk_password_reset_user_id_user_account",
        ),
        sa.UniqueConstraint("token_hash", name="uq_password_reset_token_hash"),
    )
    op.create_index(
        "ix_password_reset_email_requested_at", "password_reset", ["email", "requested_at"]
    )
    op.create_index(
        "ix_password_reset_client_ip_requested_at", "password_reset", ["client_ip", "requested_at"]
    )


def downgrade() -> None:
    op.drop_table("password_reset")
