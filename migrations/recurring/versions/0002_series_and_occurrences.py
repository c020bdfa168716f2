"""recurrence series, yearly occasions, and the occurrences asked of the gateway

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


def uuid_column(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, pg.UUID(as_uuid=True), nullable=nullable)


def timestamptz(name: str, nullable: bool = True, **kwargs) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kwargs)


def upgrade() -> None:
    op.create_table(
        "household",
        uuid_column("id"),
        sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"),
        sa.PrimaryKeyConstraint("id", name="pk_household"),
    )
    op.create_table(
        "series",
        uuid_column("id"),
        uuid_column("household_id"),
        sa.Column("rrule", sa.Text, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        timestamptz("anchor_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_series"),
        sa.CheckConstraint("mode IN ('from_due', 'from_completion')", name="ck_series_mode"),
    )
    op.create_table(
        "series_task",
        uuid_column("task_id"),
        uuid_column("series_id"),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("occurrence_index", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("recurs", sa.Boolean, nullable=False),
        timestamptz("due_at"),
        timestamptz("successor_due_at"),
        sa.Column("series_ended", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.PrimaryKeyConstraint("task_id", name="pk_series_task"),
    )
    op.create_index("ix_series_task_series_id", "series_task", ["series_id"])
    op.create_index(
        "ix_series_task_overdue",
        "series_task",
        ["due_at"],
        postgresql_where=sa.text(
            "recurs AND successor_due_at IS NULL AND NOT series_ended AND status = 'open'"
        ),
    )
    op.create_table(
        "yearly_occasion",
        uuid_column("occasion_id"),
        uuid_column("household_id"),
        sa.Column("first_date", sa.Date, nullable=False),
        sa.Column("occurs_on", sa.Date, nullable=False),
        timestamptz("rolls_at", nullable=False),
        sa.PrimaryKeyConstraint("occasion_id", name="pk_yearly_occasion"),
    )
    op.create_table(
        "occurrence",
        uuid_column("id"),
        sa.Column("kind", sa.Text, nullable=False),
        uuid_column("subject_id"),
        sa.Column("occurrence", sa.Text, nullable=False),
        sa.Column("occurrence_index", sa.Integer, nullable=False, server_default=sa.text("0")),
        uuid_column("source_id"),
        sa.Column("payload", pg.JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        timestamptz("next_attempt_at", nullable=False, server_default=sa.func.now()),
        sa.Column("last_error", sa.Text),
        timestamptz("created_at", nullable=False, server_default=sa.func.now()),
        timestamptz("done_at"),
        uuid_column("result_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_occurrence"),
        sa.CheckConstraint("kind IN ('task', 'occasion')", name="ck_occurrence_kind"),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'abandoned')", name="ck_occurrence_status"
        ),
    )
    op.create_index(
        "uq_occurrence_kind_subject_id_occurrence",
        "occurrence",
        ["kind", "subject_id", "occurrence"],
        unique=True,
    )
    op.create_index(
        "ix_occurrence_pending",
        "occurrence",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    # the sender asks the gateway as soon as an occurrence is recorded (on commit)
    op.execute(
        """
        CREATE FUNCTION notify_occurrence_pending() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('occurrence_pending', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER occurrence_recorded AFTER INSERT ON occurrence "
        "FOR EACH STATEMENT EXECUTE FUNCTION notify_occurrence_pending()"
    )
    op.execute(
        "CREATE TRIGGER series_task_changed AFTER INSERT OR UPDATE OF due_at, status ON series_task "
        "FOR EACH STATEMENT EXECUTE FUNCTION notify_occurrence_pending()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER series_task_changed ON series_task")
    op.execute("DROP TRIGGER occurrence_recorded ON occurrence")
    op.execute("DROP FUNCTION notify_occurrence_pending()")
    op.drop_table("occurrence")
    op.drop_table("yearly_occasion")
    op.drop_table("series_task")
    op.drop_table("series")
    op.drop_table("household")
