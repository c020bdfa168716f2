"""Steps that more than one service's Alembic history takes: the processed-event inbox
(shared.inbox) and the transactional outbox (shared.outbox), each in the service's own schema.

Applied migrations call these, so what each one builds is fixed once released: never change a step;
a change to these tables is a new step, called from a new migration of every service that has them.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg


def create_processed_event() -> None:
    op.create_table(
        "processed_event",
        sa.Column("event_id", pg.UUID(as_uuid=True)),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column(
            "processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_event"),
    )


def drop_processed_event() -> None:
    op.drop_table("processed_event")


def create_outbox() -> None:
    """The outbox as first released: published in `created_at` order (see order_outbox_by_commit)."""
    op.create_table(
        "outbox",
        sa.Column("id", pg.UUID(as_uuid=True)),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("partition_key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("cloudevent", pg.JSONB, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["created_at"],
        postgresql_where=sa.text("published_at IS NULL"),
    )
    # wake the relay as soon as a transaction that wrote events commits (NOTIFY is delivered on commit)
    op.execute(
        """
        CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('outbox', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox()"
    )


def drop_outbox() -> None:
    op.execute("DROP TRIGGER outbox_inserted ON outbox")
    op.execute("DROP FUNCTION notify_outbox()")
    op.drop_table("outbox")


# `created_at` is when the writing transaction began, so a transaction that waited for an aggregate's
# row lock could carry an earlier time than the one it waited for, and the relay published them in
# that order. A BEFORE INSERT trigger takes a transaction-level advisory lock on the event's aggregate
# (its partition key) and only then numbers the row from a sequence: two transactions writing events
# of one aggregate are serialised from that point to their commit, so the later one's numbers are
# always higher, and a lock waiter wakes only once the holder's commit is visible. The number is also
# the event's `aggregateversion` (a CloudEvent extension): increasing along each aggregate's events,
# in commit order, for a consumer to check.
#
# Expand only: the previous version's inserts get their numbers from the trigger too, and its relay
# (ordered by created_at) still runs.
_COMMIT_ORDER = [
    "CREATE SEQUENCE outbox_seq AS bigint",
    "ALTER TABLE outbox ADD COLUMN seq bigint",
    # rows already written keep the order the previous relay gave them
    """
    WITH ordered AS (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM outbox)
    UPDATE outbox SET seq = ordered.n FROM ordered WHERE outbox.id = ordered.id
    """,
    "SELECT setval('outbox_seq', coalesce(max(seq), 0) + 1, false) FROM outbox",
    "ALTER TABLE outbox ALTER COLUMN seq SET NOT NULL",
    "DROP INDEX ix_outbox_unpublished",
    "CREATE INDEX ix_outbox_unpublished ON outbox (seq) WHERE published_at IS NULL",
    """
    CREATE FUNCTION order_outbox_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- held to the end of the transaction: one writer of this aggregate's events at a time
        PERFORM pg_advisory_xact_lock(TG_RELID::int, hashtext(NEW.partition_key));
        NEW.seq := nextval(format('%I.outbox_seq', TG_TABLE_SCHEMA)::regclass);
        NEW.cloudevent := NEW.cloudevent || jsonb_build_object('aggregateversion', NEW.seq);
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER outbox_ordered BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION order_outbox_event()",
]

_CREATED_AT_ORDER = [
    "DROP TRIGGER outbox_ordered ON outbox",
    "DROP FUNCTION order_outbox_event()",
    "DROP INDEX ix_outbox_unpublished",
    "CREATE INDEX ix_outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL",
    "ALTER TABLE outbox DROP COLUMN seq",
    "DROP SEQUENCE outbox_seq",
]


def order_outbox_by_commit() -> None:
    """The outbox in commit order: a sequence number per event, taken under its aggregate's lock."""
    for statement in _COMMIT_ORDER:
        op.execute(statement)


def order_outbox_by_creation() -> None:
    """Undoes order_outbox_by_commit."""
    for statement in _CREATED_AT_ORDER:
        op.execute(statement)
