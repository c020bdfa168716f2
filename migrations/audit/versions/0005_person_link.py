"""which member each person is (read model), and the people each entry is kept from

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
    # on the partitioned table: every partition, present and future, gets the column
    op.add_column(
        "audit_entry",
        sa.Column("hidden_persons", pg.ARRAY(UUID), nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    op.drop_column("audit_entry", "hidden_persons")
    op.drop_table("person_link")
