"""who each person is linked to, and the people each stored message must be kept from

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "person_link",
        sa.Column("person_id", UUID, nullable=False),
        sa.Column("household_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_person_link"),
    )
    op.create_index(
        "ix_person_link_household_id_user_id", "person_link", ["household_id", "user_id"]
    )
    for table in ("stream_message", "notification"):
        op.add_column(
            table, sa.Column("hidden_persons", pg.ARRAY(UUID), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    for table in ("stream_message", "notification"):
        op.drop_column(table, "hidden_persons")
    op.drop_table("person_link")
