"""The inbox forgets event ids older than its retention, and only those: a redelivery within the window
is still recognised after a prune."""

import uuid
from datetime import timedelta

from services.audit.handlers import record_entry
from services.audit.models import processed_event as audit_inbox
from services.reminder.models import processed_event as reminder_inbox
from shared.consumer import BulkConsumer
from shared.inbox import InboxPruner
from tests.integration.test_consumer_inbox import delivery, household_created, statuses

RETENTION = timedelta(days=14)


async def processed(admin_db, schema: str, age: timedelta) -> uuid.UUID:
    """An inbox row as if its event had been handled `age` ago."""
    event_id = uuid.uuid4()
    await admin_db.execute(
        f"INSERT INTO {schema}.processed_event (event_id, event_type, processed_at) "
        "VALUES ($1, 'giftflow.household.created.v1', now() - $2::interval)",
        event_id,
        age,
    )
    return event_id


async def remaining(admin_db, schema: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    rows = await admin_db.fetch(
        f"SELECT event_id FROM {schema}.processed_event WHERE event_id = ANY($1)", ids
    )
    return {r["event_id"] for r in rows}


async def test_ids_older_than_the_retention_go_in_small_batches_and_recent_ones_stay(
    engine_for, admin_db
):
    old = [await processed(admin_db, "reminder", timedelta(days=d)) for d in (15, 20, 400)]
    recent = [
        await processed(admin_db, "reminder", age) for age in (timedelta(days=13), timedelta(0))
    ]
    pruner = InboxPruner(
        engine_for("reminder"), reminder_inbox, RETENTION, interval_s=3600, batch_size=2
    )

    rounds = [await pruner.run_once()]
    while rounds[-1]:
        rounds.append(await pruner.run_once())

    assert rounds[0] is True  # a full batch of two: it goes again at once rather than sleeping
    assert await remaining(admin_db, "reminder", old) == set()
    assert await remaining(admin_db, "reminder", recent) == set(recent)


async def test_a_redelivery_within_the_window_is_still_ignored_after_a_prune(
    engine_for, sessions_for, admin_db
):
    consumer = BulkConsumer("audit", sessions_for("audit"), audit_inbox, {}, catch_all=record_entry)
    event = household_created()
    event_id = uuid.UUID(event["id"])
    assert statuses(await consumer.handle_bulk(delivery(event))) == {"e0": "SUCCESS"}
    # handled 13 days ago, as far back as a redelivery from a 7-day topic could ever reach and more
    await admin_db.execute(
        "UPDATE audit.processed_event SET processed_at = now() - interval '13 days' "
        "WHERE event_id = $1",
        event_id,
    )

    pruner = InboxPruner(engine_for("audit"), audit_inbox, RETENTION, interval_s=3600)
    while await pruner.run_once():
        pass
    assert statuses(await consumer.handle_bulk(delivery(event))) == {"e0": "SUCCESS"}

    entries = await admin_db.fetchval(
        "SELECT count(*) FROM audit.audit_entry WHERE event_id = $1", event_id
    )
    assert entries == 1
