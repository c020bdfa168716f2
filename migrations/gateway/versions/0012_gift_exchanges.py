"""gift exchanges: the exchange, who takes part, exclusions, the picks of the latest draw, and the
exchange a claim was made for

Revision ID: 0012
Revises: 0011

Expand only: new tables the previous gateway version never reads, and a nullable column on claims that
it neither writes nor reads (its claims simply count for no exchange).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        ondelete=ondelete,
        name=f"fk_{table}_{column}_{target}",
    )


def upgrade() -> None:
    op.create_table(
        "exchange",
        sa.Column("id", UUID, nullable=False),
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("occasion_id", UUID, nullable=False),
        sa.Column("organizer_id", UUID, nullable=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("price_min", sa.Numeric(12, 2), nullable=True),
        sa.Column("price_max", sa.Numeric(12, 2), nullable=True),
        sa.Column("currency", sa.Text, nullable=True),
        sa.Column("draw_round", sa.Integer, nullable=False, server_default="0"),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exchange"),
        sa.CheckConstraint(
            "price_min IS NULL OR price_max IS NULL OR price_min <= price_max",
            name="ck_exchange_price_range",
        ),
        _fk("exchange", "household_id", "household"),
        _fk("exchange", "occasion_id", "occasion"),
        _fk("exchange", "organizer_id", "user_account", "SET NULL"),
    )
    op.create_index("ix_exchange_household_id", "exchange", ["household_id"])
    op.create_index("ix_exchange_occasion_id", "exchange", ["occasion_id"])

    op.create_table(
        "exchange_participant",
        sa.Column("exchange_id", UUID, nullable=False),
        sa.Column("person_id", UUID, nullable=False),
        sa.PrimaryKeyConstraint("exchange_id", "person_id", name="pk_exchange_participant"),
        _fk("exchange_participant", "exchange_id", "exchange"),
        _fk("exchange_participant", "person_id", "person"),
    )
    op.create_table(
        "exchange_exclusion",
        sa.Column("exchange_id", UUID, nullable=False),
        sa.Column("giver_person_id", UUID, nullable=False),
        sa.Column("receiver_person_id", UUID, nullable=False),
        sa.PrimaryKeyConstraint(
            "exchange_id", "giver_person_id", "receiver_person_id", name="pk_exchange_exclusion"
        ),
        _fk("exchange_exclusion", "exchange_id", "exchange"),
        sa.ForeignKeyConstraint(
            ["giver_person_id"],
            ["person.id"],
            ondelete="CASCADE",
            name="fk_exchange_exclusion_giver_person_id_person",
        ),
        sa.ForeignKeyConstraint(
            ["receiver_person_id"],
            ["person.id"],
            ondelete="CASCADE",
            name="fk_exchange_exclusion_receiver_person_id_person",
        ),
    )
    op.create_table(
        "exchange_pick",
        sa.Column("exchange_id", UUID, nullable=False),
        sa.Column("giver_person_id", UUID, nullable=False),
        sa.Column("receiver_person_id", UUID, nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("exchange_id", "giver_person_id", name="pk_exchange_pick"),
        sa.UniqueConstraint(
            "exchange_id",
            "receiver_person_id",
            name="uq_exchange_pick_exchange_id_receiver_person_id",
        ),
        sa.CheckConstraint(
            "giver_person_id <> receiver_person_id", name="ck_exchange_pick_not_oneself"
        ),
        _fk("exchange_pick", "exchange_id", "exchange"),
        sa.ForeignKeyConstraint(
            ["giver_person_id"],
            ["person.id"],
            ondelete="CASCADE",
            name="fk_exchange_pick_giver_person_id_person",
        ),
        sa.ForeignKeyConstraint(
            ["receiver_person_id"],
            ["person.id"],
            ondelete="CASCADE",
            name="fk_exchange_pick_receiver_person_id_person",
        ),
    )

    op.add_column("claim", sa.Column("exchange_id", UUID, nullable=True))
    op.create_foreign_key(
        "fk_claim_exchange_id_exchange",
        "claim",
        "exchange",
        ["exchange_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index("ix_claim_exchange_id", "claim", ["exchange_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_exchange_id", "claim")
    op.drop_constraint("fk_claim_exchange_id_exchange", "claim")
    op.drop_column("claim", "exchange_id")
    op.drop_table("exchange_pick")
    op.drop_table("exchange_exclusion")
    op.drop_table("exchange_participant")
    op.drop_table("exchange")
