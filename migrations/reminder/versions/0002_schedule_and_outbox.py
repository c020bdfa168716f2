"""the reminder schedule, what it knows of households, people and subjects, and its own outbox

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from shared.migrations import create_outbox, drop_outbox

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def uuid_column(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, pg.UUID(as_uuid=True), nullable=nullable)


def uuids_column(name: str) -> sa.Column:
    return sa.Column(name, pg.ARRAY(pg.UUID(as_uuid=True)), nullable=False, server_default="{}")


def timestamptz(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "reminder",
        uuid_column("id"),
        uuid_column("household_id"),
        sa.Column("subject_kind", sa.Text, nullable=False),
        uuid_column("subject_id"),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("offset", sa.Text, nullable=False),
        timestamptz("due_at"),
        sa.Column("occasion_date", sa.Date),
        timestamptz("remind_at", nullable=False),
        timestamptz("fired_at"),
        uuid_column("assignee_id", nullable=True),
        uuids_column("hidden_from"),
        uuids_column("person_ids"),
        sa.Column("notify_user_ids", pg.ARRAY(pg.UUID(as_uuid=True))),
        uuid_column("snoozed_from", nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminder"),
        sa.CheckConstraint("subject_kind IN ('task', 'occasion')", name="ck_reminder_subject_kind"),
    )
    # what the scheduler claims: only rows still to fire, in the order they come due
    op.create_index(
        "ix_reminder_pending",
        "reminder",
        ["remind_at"],
        postgresql_where=sa.text("fired_at IS NULL"),
    )
    op.create_index("ix_reminder_subject", "reminder", ["subject_kind", "subject_id"])
    op.create_index(
        "uq_reminder_occurrence",
        "reminder",
        ["subject_kind", "subject_id", "offset", "remind_at"],
        unique=True,
        postgresql_where=sa.text("snoozed_from IS NULL"),
    )
    # every replica's scheduler sleeps until the nearest reminder; a new one wakes them (on commit)
    op.execute(
        """
        CREATE FUNCTION notify_reminder_scheduled() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('reminder_scheduled', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER reminder_scheduled AFTER INSERT OR UPDATE OF remind_at ON reminder "
        "FOR EACH STATEMENT EXECUTE FUNCTION notify_reminder_scheduled()"
    )

    op.create_table(
        "subject",
        sa.Column("kind", sa.Text, nullable=False),
        uuid_column("id"),
        uuid_column("household_id"),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.PrimaryKeyConstraint("kind", "id", name="pk_subject"),
    )
    op.create_table(
        "household",
        uuid_column("id"),
        sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"),
        sa.PrimaryKeyConstraint("id", name="pk_household"),
    )
    op.create_table(
        "household_member",
        uuid_column("household_id"),
        uuid_column("user_id"),
        sa.PrimaryKeyConstraint("household_id", "user_id", name="pk_household_member"),
    )
    op.create_table(
        "person_link",
        uuid_column("person_id"),
        uuid_column("household_id"),
        uuid_column("user_id"),
        sa.PrimaryKeyConstraint("person_id", name="pk_person_link"),
    )

    create_outbox()


def downgrade() -> None:
    drop_outbox()
    op.drop_table("person_link")
    op.drop_table("household_member")
    op.drop_table("household")
    op.drop_table("subject")
    op.execute("DROP TRIGGER reminder_scheduled ON reminder")
    op.execute("DROP FUNCTION notify_reminder_scheduled()")
    op.drop_table("reminder")
