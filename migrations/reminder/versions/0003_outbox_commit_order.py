"""the outbox in commit order: a sequence number per event, taken under its aggregate's lock

Revision ID: 0003
Revises: 0002

`created_at` is when the writing transaction began, so a transaction that waited for an aggregate's row
lock could carry an earlier time than the one it waited for, and the relay published them in that
order. Now a BEFORE INSERT trigger takes a transaction-level advisory lock on the event's aggregate
(its partition key) and only then numbers the row from a sequence: two transactions writing events of
one aggregate are serialised from that point to their commit, so the later one's numbers are always
higher, and a lock waiter wakes only once the holder's commit is visible. The number is also the
event's `aggregateversion` (a CloudEvent extension): increasing along each aggregate's events, in
commit order, for a consumer to check.

Expand only: the previous version's inserts get their numbers from the trigger too, and its relay
(ordered by created_at) still runs.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = [
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

DOWNGRADE = [
    "DROP TRIGGER outbox_ordered ON outbox",
    "DROP FUNCTION order_outbox_event()",
    "DROP INDEX ix_outbox_unpublished",
    "CREATE INDEX ix_outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL",
    "ALTER TABLE outbox DROP COLUMN seq",
    "DROP SEQUENCE outbox_seq",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
