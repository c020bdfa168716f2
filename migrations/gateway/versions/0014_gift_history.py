"""gift history: what each person received (given by the household, or recorded as received from
anyone), the thank-you ledger, the household's reveal setting, and the occasions wrapped up

Revision ID: 0014
Revises: 0013

Expand only: new tables the previous gateway version never reads, and two household columns with
defaults it neither writes nor reads.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NO_IDS = sa.text("'{}'::uuid[]")


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], ondelete=ondelete, name=f"fk_{table}_{column}_{target}"
    )


def upgrade() -> None:
    op.add_column(
        "household",
        sa.Column("reveal", sa.Text, nullable=False, server_default="after_days"),
    )
    op.add_column(
        "household",
        sa.Column("reveal_after_days", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_check_constraint(
        "ck_household_reveal", "household", "reveal IN ('at_occasion', 'after_days', 'never')"
    )
    op.create_check_constraint(
        "ck_household_reveal_after_days", "household", "reveal_after_days BETWEEN 1 AND 365"
    )

    op.create_table(
        "gift_record",
        sa.Column("id", UUID, nullable=False),
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("recipient_person_id", UUID, nullable=False),
        sa.Column("occasion_id", UUID, nullable=True),
        sa.Column("occasion_name", sa.Text, nullable=True),
        sa.Column("occurs_on", sa.Date, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("price", sa.Numeric(12, 2), nullable=True),
        sa.Column("currency", sa.Text, nullable=True),
        sa.Column("gift_id", UUID, nullable=True),
        sa.Column("list_item_id", UUID, nullable=True),
        sa.Column("from_santa", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("giver_user_ids", pg.ARRAY(UUID), nullable=False, server_default=NO_IDS),
        sa.Column("giver_person_id", UUID, nullable=True),
        sa.Column("giver_name", sa.Text, nullable=True),
        sa.Column("private_to", pg.ARRAY(UUID), nullable=False, server_default=NO_IDS),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("thanked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("thanked_by", UUID, nullable=True),
        sa.Column("thank_task_id", UUID, nullable=True),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", UUID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gift_record"),
        sa.CheckConstraint("source IN ('given', 'received')", name="ck_gift_record_source"),
        sa.UniqueConstraint(
            "list_item_id",
            "recipient_person_id",
            name="uq_gift_record_list_item_id_recipient_person_id",
        ),
        _fk("gift_record", "household_id", "household"),
        _fk("gift_record", "recipient_person_id", "person"),
        _fk("gift_record", "occasion_id", "occasion", "SET NULL"),
        _fk("gift_record", "gift_id", "gift", "SET NULL"),
        _fk("gift_record", "list_item_id", "list_item", "SET NULL"),
        _fk("gift_record", "giver_person_id", "person", "SET NULL"),
        _fk("gift_record", "thanked_by", "user_account", "SET NULL"),
        _fk("gift_record", "thank_task_id", "task", "SET NULL"),
        _fk("gift_record", "recorded_by", "user_account", "SET NULL"),
    )
    op.create_index("ix_gift_record_household_id", "gift_record", ["household_id"])
    op.create_index("ix_gift_record_recipient_person_id", "gift_record", ["recipient_person_id"])
    op.create_index("ix_gift_record_giver_person_id", "gift_record", ["giver_person_id"])

    op.create_table(
        "occasion_wrap_up",
        sa.Column("occasion_id", UUID, nullable=False),
        sa.Column("occurs_on", sa.Date, nullable=False),
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("gifts", sa.Integer, nullable=False),
        sa.Column("wrapped_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("occasion_id", "occurs_on", name="pk_occasion_wrap_up"),
        _fk("occasion_wrap_up", "occasion_id", "occasion"),
        _fk("occasion_wrap_up", "household_id", "household"),
    )


def downgrade() -> None:
    op.drop_table("occasion_wrap_up")
    op.drop_table("gift_record")
    op.drop_constraint("ck_household_reveal_after_days", "household")
    op.drop_constraint("ck_household_reveal", "household")
    op.drop_column("household", "reveal_after_days")
    op.drop_column("household", "reveal")
