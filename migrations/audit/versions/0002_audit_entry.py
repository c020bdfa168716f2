"""append-only audit entries, partitioned by month

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATEMENTS = [
    """
    CREATE TABLE audit_entry (
        id bigint GENERATED ALWAYS AS IDENTITY,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        subject text,
        household_id uuid,
        actor_id uuid,
        hidden_from uuid[] NOT NULL DEFAULT '{}',
        occurred_at timestamptz,
        data jsonb NOT NULL,
        CONSTRAINT pk_audit_entry PRIMARY KEY (id, recorded_at)
    ) PARTITION BY RANGE (recorded_at)
    """,
    "CREATE INDEX ix_audit_entry_household_recorded ON audit_entry (household_id, recorded_at)",
    "CREATE INDEX ix_audit_entry_subject ON audit_entry (subject)",
    # audit_entry_YYYY_MM for the month holding `month_start`; idempotent
    """
    CREATE FUNCTION ensure_audit_partition(month_start date) RETURNS text LANGUAGE plpgsql AS $$
    DECLARE
        first_day date := date_trunc('month', month_start)::date;
        part text := format('audit_entry_%s', to_char(first_day, 'YYYY_MM'));
    BEGIN
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_entry FOR VALUES FROM (%L) TO (%L)',
            part, first_day, (first_day + interval '1 month')::date);
        RETURN part;
    END $$
    """,
    """
    SELECT ensure_audit_partition((now() + make_interval(months => m))::date)
    FROM generate_series(-1, 2) AS m
    """,
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE audit_entry")
    op.execute("DROP FUNCTION ensure_audit_partition(date)")
