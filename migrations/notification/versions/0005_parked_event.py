"""events that arrived before their household: parked until it is known here

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parked_event",
        sa.Column("position", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("household_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("cloudevent", pg.JSONB, nullable=False),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("position", name="pk_parked_event"),
    )
    op.create_index(
        "ix_parked_event_household_id_position", "parked_event", ["household_id", "position"]
    )
    op.create_index("ix_parked_event_parked_at", "parked_event", ["parked_at"])


def downgrade() -> None:
    op.drop_table("parked_event")
