"""accounts: users, refresh tokens, login throttling, memberships with roles, invitations,
and the household's time zone

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLES = "role IN ('admin', 'adult', 'child')"


def timestamptz(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # expand only: the previous gateway version still runs on this schema
    op.add_column("household", sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"))

    op.create_table(
        "user_account",
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("email", sa.Text, nullable=False),  # stored lower-cased
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        timestamptz("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_user_account"),
        sa.UniqueConstraint("email", name="uq_user_account_email"),
    )

    op.create_table(
        "refresh_token",
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column(
            "family_id", pg.UUID(as_uuid=True), nullable=False
        ),  # one login and its rotations
        sa.Column("token_hash", sa.Text, nullable=False),
        timestamptz("created_at"),
        timestamptz("expires_at"),
        timestamptz("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_token"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            ondelete="CASCADE",
            name="fk_refresh_token_user_id_user_account",
        ),
        sa.UniqueConstraint("token_hash", name="uq_refresh_token_token_hash"),
    )
    op.create_index("ix_refresh_token_user_id", "refresh_token", ["user_id"])
    op.create_index("ix_refresh_token_family_id", "refresh_token", ["family_id"])

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("client_ip", sa.Text, nullable=False),
        timestamptz("attempted_at"),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempt"),
    )
    op.create_index(
        "ix_login_attempt_email_attempted_at", "login_attempt", ["email", "attempted_at"]
    )
    op.create_index(
        "ix_login_attempt_client_ip_attempted_at", "login_attempt", ["client_ip", "attempted_at"]
    )

    op.create_table(
        "membership",
        sa.Column("household_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        timestamptz("joined_at"),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_membership"),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            ondelete="CASCADE",
            name="fk_membership_household_id_household",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            ondelete="CASCADE",
            name="fk_membership_user_id_user_account",
        ),
        sa.CheckConstraint(ROLES, name="ck_membership_role"),
    )
    op.create_index("ix_membership_user_id", "membership", ["user_id"])

    op.create_table(
        "invitation",
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("household_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("code_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("created_by", pg.UUID(as_uuid=True), nullable=False),
        timestamptz("created_at"),
        timestamptz("expires_at"),
        sa.Column("accepted_by", pg.UUID(as_uuid=True), nullable=True),
        timestamptz("accepted_at", nullable=True),
        timestamptz("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invitation"),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            ondelete="CASCADE",
            name="fk_invitation_household_id_household",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            ondelete="CASCADE",
            name="fk_invitation_created_by_user_account",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by"],
            ["user_account.id"],
            ondelete="SET NULL",
            name="fk_invitation_accepted_by_user_account",
        ),
        sa.UniqueConstraint("code_hash", name="uq_invitation_code_hash"),
        sa.CheckConstraint(ROLES, name="ck_invitation_role"),
    )
    op.create_index("ix_invitation_household_id", "invitation", ["household_id"])


def downgrade() -> None:
    op.drop_table("invitation")
    op.drop_table("membership")
    op.drop_table("login_attempt")
    op.drop_table("refresh_token")
    op.drop_table("user_account")
    op.drop_column("household", "timezone")
