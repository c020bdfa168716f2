"""tasks with due times, reminders and recurrence; the dates yearly occasions rolled over to

Revision ID: 0004
Revises: 0003

A series' next task is made at most once per occurrence: (series_id, occurrence_at) is unique, and so is
previous_task_id (one successor per task), so a retried request of the recurring processor finds the
task it already made.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def uuid_column(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, pg.UUID(as_uuid=True), nullable=nullable)


def timestamptz(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    target_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], ondelete=ondelete, name=f"fk_{table}_{column}_{target_table}"
    )


def upgrade() -> None:
    op.create_table(
        "task",
        uuid_column("id"),
        uuid_column("household_id"),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("notes", sa.Text),
        uuid_column("assignee_id", nullable=True),
        timestamptz("due_at"),
        # the order lists are read in: by due time, tasks without one last (9999-12-31)
        sa.Column(
            "due_sort",
            sa.DateTime(timezone=True),
            sa.Computed("coalesce(due_at, to_timestamp(253402214400))", persisted=True),
            nullable=False,
        ),
        sa.Column("status", sa.Text, nullable=False, server_default="open"),
        timestamptz("completed_at"),
        uuid_column("completed_by", nullable=True),
        uuid_column("occasion_id", nullable=True),
        uuid_column("person_id", nullable=True),
        uuid_column("list_item_id", nullable=True),
        sa.Column("reminders", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("rrule", sa.Text),
        sa.Column("recurrence_mode", sa.Text),
        uuid_column("series_id", nullable=True),
        timestamptz("occurrence_at"),
        uuid_column("previous_task_id", nullable=True),
        sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("1")),
        uuid_column("created_by", nullable=True),
        timestamptz("created_at", nullable=False),
        timestamptz("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_task"),
        fk("task", "household_id", "household.id", "CASCADE"),
        fk("task", "assignee_id", "user_account.id", "SET NULL"),
        fk("task", "completed_by", "user_account.id", "SET NULL"),
        fk("task", "created_by", "user_account.id", "SET NULL"),
        fk("task", "occasion_id", "occasion.id", "SET NULL"),
        fk("task", "person_id", "person.id", "SET NULL"),
        fk("task", "list_item_id", "list_item.id", "SET NULL"),
        sa.UniqueConstraint("series_id", "occurrence_at", name="uq_task_series_id_occurrence_at"),
        sa.UniqueConstraint("previous_task_id", name="uq_task_previous_task_id"),
        sa.CheckConstraint("status IN ('open', 'done')", name="ck_task_status"),
        sa.CheckConstraint(
            "recurrence_mode IN ('from_due', 'from_completion')", name="ck_task_recurrence_mode"
        ),
        # what needs a due time has one
        sa.CheckConstraint(
            "due_at IS NOT NULL OR (rrule IS NULL AND reminders = '[]'::jsonb)",
            name="ck_task_due_for_reminders_and_recurrence",
        ),
    )
    op.create_index("ix_task_household_id", "task", ["household_id"])
    op.create_index("ix_task_series_id", "task", ["series_id"])
    # "my tasks" and the due-window filters read by (household, due time)
    op.create_index("ix_task_household_id_due_sort", "task", ["household_id", "due_sort", "id"])
    op.create_index("ix_task_assignee_id_due_sort", "task", ["assignee_id", "due_sort", "id"])

    op.create_table(
        "occasion_occurrence",
        uuid_column("occasion_id"),
        sa.Column("occurs_on", sa.Date, nullable=False),
        sa.Column("previous_date", sa.Date, nullable=False),
        timestamptz("created_at", nullable=False),
        sa.PrimaryKeyConstraint("occasion_id", "occurs_on", name="pk_occasion_occurrence"),
        fk("occasion_occurrence", "occasion_id", "occasion.id", "CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("occasion_occurrence")
    op.drop_table("task")
