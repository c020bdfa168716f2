"""Poison events against Postgres, through each consumer's real handlers: an event whose own data can
never be handled (a zone that does not exist, a reminder offset of 9000 years, a rule that never
ends, a time off the calendar) is dead-lettered at once, and the events delivered with it and after it
are handled. The API refuses all of these; they reach a consumer only from an older or foreign
producer, or a replay."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from services.audit.handlers import HANDLERS as AUDIT_HANDLERS
from services.audit.handlers import record_entry
from services.audit.models import processed_event as audit_inbox
from services.notification.handlers import HANDLERS as NOTIFICATION_HANDLERS
from services.notification.models import processed_event as notification_inbox
from services.recurring.handlers import HANDLERS as RECURRING_HANDLERS
from services.recurring.models import processed_event as recurring_inbox
from services.recurring.models import series_task
from services.reminder.config import Settings as ReminderSettings
from services.reminder.handlers import handlers as reminder_handlers
from services.reminder.models import household as reminder_household
from services.reminder.models import processed_event as reminder_inbox
from services.reminder.models import reminder
from shared.consumer import BulkConsumer
from shared.events import Event, HouseholdCreated
from shared.events.gifting import OccasionCreated
from shared.events.tasks import TaskCreated

CONSUMERS = {
    "reminder": (reminder_inbox, reminder_handlers(ReminderSettings()), None),
    "recurring": (recurring_inbox, RECURRING_HANDLERS, None),
    "notification": (notification_inbox, NOTIFICATION_HANDLERS, None),
    "audit": (audit_inbox, AUDIT_HANDLERS, record_entry),
}


def cloudevent(event: Event, **data) -> dict:
    """The CloudEvent the gateway's relay would publish, with `data` fields overwritten as a faulty
    producer might have written them."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "giftflow/gateway",
        "type": event.event_type(),
        "subject": str(event.aggregate_id()),
        "household": str(event.household_id),
        "time": datetime.now(UTC).isoformat(),
        "data": {**event.model_dump(mode="json"), **data},
    }


def task(household_id: uuid.UUID, **extra) -> TaskCreated:
    task_id = uuid.uuid4()
    fields = {
        "due_at": datetime.now(UTC) + timedelta(days=3),
        "reminder_offsets": ("P1D",),
        "rrule": "FREQ=WEEKLY",
        "recurrence_mode": "from_due",
        "series_id": task_id,
        **extra,
    }
    return TaskCreated(
        household_id=household_id,
        task_id=task_id,
        revision=1,
        title="Wrap the presents",
        status="open",
        timezone="Europe/Berlin",
        **fields,
    )


async def deliver(sessions_for, service: str, *events: dict) -> list[str]:
    inbox, handlers, catch_all = CONSUMERS[service]
    consumer = BulkConsumer(service, sessions_for(service), inbox, handlers, catch_all)
    answer = await consumer.handle_bulk(
        {"entries": [{"entryId": f"e{i}", "event": e} for i, e in enumerate(events)]}
    )
    by_entry = {s["entryId"]: s["status"] for s in answer["statuses"]}
    return [by_entry[f"e{i}"] for i in range(len(events))]


async def known_household(sessions_for, service: str, household_id: uuid.UUID) -> None:
    """The household's creation, handled first: a consumer waits for it before telling anyone of
    what happens in the household (notification answers RETRY until then)."""
    created = HouseholdCreated(
        household_id=household_id,
        actor_id=uuid.uuid4(),
        name="Poison tasters",
        created_at=datetime.now(UTC),
        creator_display_name="Ann",
    )
    assert await deliver(sessions_for, service, cloudevent(created)) == ["SUCCESS"]


async def processed(admin_db, service: str, *events: dict) -> set[str]:
    rows = await admin_db.fetch(
        f"SELECT event_id FROM {service}.processed_event WHERE event_id = ANY($1)",
        [uuid.UUID(e["id"]) for e in events],
    )
    return {str(r["event_id"]) for r in rows}


POISONS = {
    "an unknown zone": {"timezone": "Mars/Olympus_Mons"},
    "a 9000-year reminder": {"reminder_offsets": ["P9000Y"]},
    "a rule that never ends": {"rrule": "FREQ=DAILY;INTERVAL=0"},
    "a rule more often than daily": {"rrule": "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"},
    "a due time off the calendar": {"due_at": "9999-12-31T23:59:59-14:00"},
}


@pytest.mark.parametrize("service", sorted(CONSUMERS))
@pytest.mark.parametrize("poison", sorted(POISONS))
async def test_a_poison_task_event_is_dead_lettered_at_once_and_the_events_around_it_are_handled(
    sessions_for, admin_db, service, poison
):
    household_id = uuid.uuid4()
    await known_household(sessions_for, service, household_id)
    before, after = task(household_id), task(household_id)
    events = [
        cloudevent(before),
        cloudevent(task(household_id), **POISONS[poison]),
        cloudevent(after),
    ]

    assert await deliver(sessions_for, service, *events) == ["SUCCESS", "DROP", "SUCCESS"]
    assert await processed(admin_db, service, *events) == {events[0]["id"], events[2]["id"]}
    later = cloudevent(task(household_id))
    assert await deliver(sessions_for, service, later) == ["SUCCESS"]  # nothing held back behind it


async def test_the_reminders_of_the_events_around_a_poison_one_are_scheduled(
    sessions_for, admin_db
):
    household_id = uuid.uuid4()
    before, poison, after = task(household_id), task(household_id), task(household_id)
    await deliver(
        sessions_for,
        "reminder",
        cloudevent(before),
        cloudevent(poison, reminder_offsets=["P9000Y"]),
        cloudevent(after),
    )
    async with sessions_for("reminder")() as session:
        scheduled = set(
            (
                await session.scalars(
                    select(reminder.c.subject_id).where(
                        reminder.c.subject_id.in_([before.task_id, poison.task_id, after.task_id])
                    )
                )
            ).all()
        )
    assert scheduled == {before.task_id, after.task_id}


async def test_the_series_of_the_events_around_a_poison_one_are_tracked(sessions_for):
    household_id = uuid.uuid4()
    before, poison, after = task(household_id), task(household_id), task(household_id)
    await deliver(
        sessions_for,
        "recurring",
        cloudevent(before),
        cloudevent(poison, rrule="FREQ=DAILY;INTERVAL=0"),
        cloudevent(after),
    )
    async with sessions_for("recurring")() as session:
        tracked = set(
            (
                await session.scalars(
                    select(series_task.c.task_id).where(
                        series_task.c.task_id.in_([before.task_id, poison.task_id, after.task_id])
                    )
                )
            ).all()
        )
    assert tracked == {before.task_id, after.task_id}


async def test_an_event_sent_at_a_time_off_the_calendar_is_dead_lettered(sessions_for):
    household_id = uuid.uuid4()
    odd = {**cloudevent(task(household_id)), "time": "0001-01-01T00:00:00+14:00"}
    assert await deliver(sessions_for, "reminder", odd, cloudevent(task(household_id))) == [
        "DROP",
        "SUCCESS",
    ]


async def test_a_handler_failing_on_data_kept_from_before_is_dead_lettered_not_retried(
    sessions_for, admin_db
):
    """A household whose zone was stored before zones were checked: scheduling its occasion's reminders
    raises inside the handler. Retrying would raise again, so it is dropped at once."""
    legacy, sound = uuid.uuid4(), uuid.uuid4()
    async with sessions_for("reminder")() as session, session.begin():
        await session.execute(
            insert(reminder_household).values(id=legacy, timezone="Mars/Olympus_Mons")
        )
    await deliver(
        sessions_for,
        "reminder",
        cloudevent(
            HouseholdCreated(
                household_id=sound,
                name="Smiths",
                created_at=datetime.now(UTC),
                timezone="Europe/Berlin",
            )
        ),
    )
    day = (datetime.now(UTC) + timedelta(days=30)).date()
    on_legacy = cloudevent(
        OccasionCreated(
            household_id=legacy,
            occasion_id=uuid.uuid4(),
            name="Gran's birthday",
            kind="birthday",
            date=day,
            recurs_yearly=True,
        )
    )
    on_sound = cloudevent(
        OccasionCreated(
            household_id=sound,
            occasion_id=uuid.uuid4(),
            name="Sam's birthday",
            kind="birthday",
            date=day,
            recurs_yearly=True,
        )
    )

    assert await deliver(sessions_for, "reminder", on_legacy, on_sound) == ["DROP", "SUCCESS"]
    assert await processed(admin_db, "reminder", on_legacy, on_sound) == {on_sound["id"]}
