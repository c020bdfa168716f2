"""mail digests: each member's digest time, and what a digest mode holds back until then

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

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "mail_digest_time",
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("hour", sa.SmallInteger, nullable=False),
        sa.Column("weekday", sa.SmallInteger, nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_mail_digest_time"),
        sa.CheckConstraint("hour BETWEEN 0 AND 23", name="ck_mail_digest_time_hour"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_mail_digest_time_weekday"),
    )
    op.create_table(
        "mail_digest_entry",
        sa.Column("id", UUID, nullable=False),
        sa.Column("dedup_key", sa.Text, nullable=False),
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("hidden_persons", pg.ARRAY(UUID), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("digest_key", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_mail_digest_entry"),
        sa.UniqueConstraint("dedup_key", name="uq_mail_digest_entry_dedup_key"),
    )
    op.create_index(
        "ix_mail_digest_entry_held",
        "mail_digest_entry",
        ["household_id", "user_id", "created_at"],
        postgresql_where=sa.text("digest_key IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("mail_digest_entry")
    op.drop_table("mail_digest_time")
