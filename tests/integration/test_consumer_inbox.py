"""A consumer records each event once, with its effect, in one transaction."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from services.audit.handlers import record_entry
from services.audit.models import processed_event as audit_inbox
from services.notification.handlers import HANDLERS as NOTIFICATION_HANDLERS
from services.notification.models import processed_event as notification_inbox
from services.notification.stream_messages import Outgoing, append
from services.reminder.models import processed_event as reminder_inbox
from shared.consumer import BulkConsumer


def household_created(
    event_id: uuid.UUID | None = None, household_id: uuid.UUID | None = None
) -> dict:
    household_id = household_id or uuid.uuid4()
    return {
        "specversion": "1.0",
        "id": str(event_id or uuid.uuid4()),
        "source": "giftflow/gateway",
        "type": "giftflow.household.created.v1",
        "subject": str(household_id),
        "household": str(household_id),
        "time": "2026-11-21T10:00:00+00:00",
        "data": {
            "household_id": str(household_id),
            "name": "Smiths",
            "created_at": "2026-11-21T10:00:00+00:00",
        },
    }


def delivery(*events) -> dict:
    return {
        "entries": [
            {"entryId": f"e{i}", "event": e, "contentType": "application/cloudevents+json"}
            for i, e in enumerate(events)
        ]
    }


def statuses(answer: dict) -> dict[str, str]:
    return {s["entryId"]: s["status"] for s in answer["statuses"]}


async def test_the_same_event_delivered_twice_has_one_effect(sessions_for, admin_db):
    consumer = BulkConsumer("audit", sessions_for("audit"), audit_inbox, {}, catch_all=record_entry)
    event = household_created()
    first = await consumer.handle_bulk(delivery(event))
    second = await consumer.handle_bulk(delivery(event, event))
    assert statuses(first) == {"e0": "SUCCESS"}
    assert statuses(second) == {"e0": "SUCCESS", "e1": "SUCCESS"}
    entries = await admin_db.fetchval(
        "SELECT count(*) FROM audit.audit_entry WHERE event_id = $1", uuid.UUID(event["id"])
    )
    assert entries == 1


async def test_a_poison_entry_is_dropped_without_holding_back_the_rest_of_its_batch(
    sessions_for, admin_db
):
    consumer = BulkConsumer(
        "notification", sessions_for("notification"), notification_inbox, NOTIFICATION_HANDLERS
    )
    good_before, good_after = household_created(), household_created()
    poison = household_created()
    poison["data"] = {"household_id": "nope"}
    answer = statuses(await consumer.handle_bulk(delivery(good_before, poison, good_after)))
    assert answer == {"e0": "SUCCESS", "e1": "DROP", "e2": "SUCCESS"}
    recorded = await admin_db.fetch(
        "SELECT event_id FROM notification.processed_event WHERE event_id = ANY($1)",
        [uuid.UUID(e["id"]) for e in (good_before, poison, good_after)],
    )
    assert {r["event_id"] for r in recorded} == {
        uuid.UUID(good_before["id"]),
        uuid.UUID(good_after["id"]),
    }


async def test_a_handler_that_fails_on_the_event_is_dead_lettered_alone_and_leaves_no_trace(
    sessions_for, admin_db
):
    async def broken(session, envelope):
        raise RuntimeError("bug")

    consumer = BulkConsumer(
        "reminder",
        sessions_for("reminder"),
        reminder_inbox,
        {"giftflow.household.created.v1": broken},
    )
    event = household_created()
    answer = statuses(await consumer.handle_bulk(delivery(event)))
    assert answer == {
        "e0": "DROP"
    }  # retrying would fail the same way, holding up what comes behind it
    seen = await admin_db.fetchval(
        "SELECT count(*) FROM reminder.processed_event WHERE event_id = $1", uuid.UUID(event["id"])
    )
    assert seen == 0


async def test_a_handler_that_loses_the_network_is_retried(sessions_for, admin_db):
    async def cut_off(session, envelope):
        raise ConnectionResetError("connection reset by peer")

    consumer = BulkConsumer(
        "reminder",
        sessions_for("reminder"),
        reminder_inbox,
        {"giftflow.household.created.v1": cut_off},
    )
    event = household_created()
    assert statuses(await consumer.handle_bulk(delivery(event))) == {"e0": "RETRY"}
    seen = await admin_db.fetchval(
        "SELECT count(*) FROM reminder.processed_event WHERE event_id = $1", uuid.UUID(event["id"])
    )
    assert seen == 0


async def test_a_service_role_cannot_read_another_services_schema(sessions_for):
    async with sessions_for("notification")() as session:
        with pytest.raises(ProgrammingError, match="permission denied for schema gateway"):
            await session.execute(text("SELECT * FROM gateway.outbox"))


async def test_an_entry_the_database_refuses_at_commit_fails_alone_and_the_rest_of_its_batch_is_recorded(
    sessions_for, admin_db
):
    """An audit entry is written just before its batch commits: a NUL character in one event's data
    (JSONB cannot hold it) fails the batch's INSERT there, outside any one handler. The batch is redone
    entry by entry, so only that entry goes back to Dapr (and on to the dead-letter topic)."""
    consumer = BulkConsumer("audit", sessions_for("audit"), audit_inbox, {}, catch_all=record_entry)
    good_before, poison, good_after = household_created(), household_created(), household_created()
    poison["data"]["name"] = "Smi\u0000ths"

    answer = statuses(await consumer.handle_bulk(delivery(good_before, poison, good_after)))

    assert answer["e0"] == answer["e2"] == "SUCCESS"
    assert answer["e1"] in (
        "RETRY",
        "DROP",
    )  # either way Dapr dead-letters it alone once retries run out
    ids = [uuid.UUID(e["id"]) for e in (good_before, poison, good_after)]
    entries = await admin_db.fetch(
        "SELECT event_id FROM audit.audit_entry WHERE event_id = ANY($1)", ids
    )
    recorded = await admin_db.fetch(
        "SELECT event_id FROM audit.processed_event WHERE event_id = ANY($1)", ids
    )
    assert {r["event_id"] for r in entries} == {r["event_id"] for r in recorded} == {ids[0], ids[2]}


async def test_a_stream_message_the_database_refuses_at_commit_holds_back_only_its_own_event(
    sessions_for, admin_db
):
    """The notification service stages its stream messages until commit the same way."""
    household_id, user_id = uuid.uuid4(), uuid.uuid4()

    async def tell(session, envelope):
        text_ = envelope.cloudevent.data["name"]
        await append(session, household_id, [Outgoing(user_id, "notification", {"text": text_})])

    consumer = BulkConsumer(
        "notification",
        sessions_for("notification"),
        notification_inbox,
        {"giftflow.household.created.v1": tell},
    )
    good_before, poison, good_after = household_created(), household_created(), household_created()
    poison["data"]["name"] = "Smi\u0000ths"

    answer = statuses(await consumer.handle_bulk(delivery(good_before, poison, good_after)))

    assert answer["e0"] == answer["e2"] == "SUCCESS" and answer["e1"] in ("RETRY", "DROP")
    messages = await admin_db.fetch(
        "SELECT seq, data->>'text' AS text FROM notification.stream_message "
        "WHERE household_id = $1 AND user_id = $2 ORDER BY seq",
        household_id,
        user_id,
    )
    assert [(m["seq"], m["text"]) for m in messages] == [(1, "Smiths"), (2, "Smiths")]
