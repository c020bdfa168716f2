"""The reminder service against Postgres: task and occasion events shape the schedule, the scheduler
fires each due reminder once into its own outbox, and snoozing touches one occurrence only."""

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from services.reminder.config import Settings
from services.reminder.handlers import handlers
from services.reminder.models import processed_event, reminder
from services.reminder.scheduler import fire_due
from shared.consumer import BulkConsumer
from shared.events import Event, HouseholdCreated
from shared.events.gifting import OccasionCreated
from shared.events.household import MemberJoined
from shared.events.tasks import TaskCompleted, TaskCreated, TaskDeleted, TaskRescheduled


def cloudevent(event: Event, at: datetime | None = None, event_id: uuid.UUID | None = None) -> dict:
    return {
        "specversion": "1.0",
        "id": str(event_id or uuid.uuid4()),
        "source": "giftflow/gateway",
        "type": event.event_type(),
        "subject": str(event.aggregate_id()),
        "household": str(event.household_id),
        "time": (at or datetime.now(UTC)).isoformat(),
        "data": event.model_dump(mode="json"),
    }


async def deliver(sessions, *events: dict) -> dict:
    body = {"entries": [{"entryId": f"e{i}", "event": e} for i, e in enumerate(events)]}
    answer = await BulkConsumer(
        "reminder", sessions, processed_event, handlers(Settings())
    ).handle_bulk(body)
    assert {s["status"] for s in answer["statuses"]} == {"SUCCESS"}, answer
    return answer


@pytest.fixture
def sessions(sessions_for):
    return sessions_for("reminder")


@pytest.fixture
async def family(sessions):
    household_id, ann, ben = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    await deliver(
        sessions,
        cloudevent(
            HouseholdCreated(
                household_id=household_id,
                actor_id=ann,
                name="Smiths",
                created_at=now,
                timezone="Europe/Berlin",
            )
        ),
        cloudevent(
            MemberJoined(
                household_id=household_id,
                user_id=ben,
                display_name="Ben",
                role="adult",
                joined_at=now,
            )
        ),
    )
    return household_id, ann, ben


def task(
    household_id,
    task_id=None,
    revision=1,
    due_at=None,
    offsets=("PT1H",),
    kind=TaskCreated,
    status="open",
    **extra,
):
    return kind(
        household_id=household_id,
        task_id=task_id or uuid.uuid4(),
        revision=revision,
        title="Wrap presents",
        status=status,
        due_at=due_at,
        timezone="Europe/Berlin",
        reminder_offsets=offsets,
        **extra,
    )


async def pending(sessions, subject_id) -> list:
    async with sessions() as session:
        return (
            await session.execute(
                select(reminder)
                .where(reminder.c.subject_id == subject_id, reminder.c.fired_at.is_(None))
                .order_by(reminder.c.remind_at)
            )
        ).all()


async def make_due(sessions, subject_id) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(reminder)
            .where(reminder.c.subject_id == subject_id)
            .values(remind_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def fired_events(admin_db, subject_id) -> list[dict]:
    rows = await admin_db.fetch(
        "SELECT cloudevent FROM reminder.outbox WHERE partition_key = $1", str(subject_id)
    )
    return [json.loads(r["cloudevent"]) for r in rows]


async def test_a_task_with_two_offsets_schedules_two_reminders(sessions, family):
    household_id, *_ = family
    due = datetime.now(UTC) + timedelta(days=3)
    created = task(household_id, due_at=due, offsets=("P1D", "PT2H"))
    await deliver(sessions, cloudevent(created))
    rows = await pending(sessions, created.task_id)
    assert [(r.offset, r.remind_at) for r in rows] == [
        ("P1D", due - timedelta(days=1)),
        ("PT2H", due - timedelta(hours=2)),
    ]


async def test_rescheduling_moves_pending_reminders_and_a_late_redelivery_changes_nothing(
    sessions, family
):
    household_id, *_ = family
    due = datetime.now(UTC) + timedelta(days=3)
    created = task(household_id, due_at=due)
    moved = task(
        household_id,
        task_id=created.task_id,
        revision=2,
        due_at=due + timedelta(days=1),
        kind=TaskRescheduled,
    )
    await deliver(sessions, cloudevent(created))
    await deliver(sessions, cloudevent(moved))
    await deliver(
        sessions, cloudevent(created)
    )  # the first event again, with a new id: it is older than what we have
    assert [r.remind_at for r in await pending(sessions, created.task_id)] == [
        due + timedelta(days=1, hours=-1)
    ]


async def test_completing_or_deleting_a_task_cancels_its_reminders(sessions, family):
    household_id, *_ = family
    due = datetime.now(UTC) + timedelta(days=3)
    first, second = task(household_id, due_at=due), task(household_id, due_at=due)
    await deliver(sessions, cloudevent(first), cloudevent(second))
    await deliver(
        sessions,
        cloudevent(
            task(
                household_id,
                task_id=first.task_id,
                revision=2,
                due_at=due,
                kind=TaskCompleted,
                status="done",
            )
        ),
    )
    await deliver(
        sessions,
        cloudevent(TaskDeleted(household_id=household_id, task_id=second.task_id, revision=2)),
    )
    assert await pending(sessions, first.task_id) == []
    assert await pending(sessions, second.task_id) == []


async def test_a_due_reminder_fires_once_to_the_assignee_through_the_outbox(
    sessions, family, admin_db
):
    household_id, ann, ben = family
    created = task(household_id, due_at=datetime.now(UTC) + timedelta(days=1), assignee_id=ben)
    await deliver(sessions, cloudevent(created))
    await make_due(sessions, created.task_id)
    async with sessions() as session, session.begin():
        fired = await fire_due(await session.connection(), 100)
    async with sessions() as session, session.begin():
        again = await fire_due(await session.connection(), 100)
    assert created.task_id in {r.subject_id for r in fired}
    assert created.task_id not in {r.subject_id for r in again}
    [event] = await fired_events(admin_db, created.task_id)
    assert event["type"] == "giftflow.reminder.triggered.v1"
    assert event["source"] == "giftflow/reminder"
    assert event["data"]["notify_user_ids"] == [str(ben)]
    assert event["data"]["task_id"] == str(created.task_id)
    assert event["data"]["offset"] == "PT1H"


async def test_a_reminder_without_assignee_goes_to_every_member_but_those_it_is_hidden_from(
    sessions, family, admin_db
):
    household_id, ann, ben = family
    created = task(household_id, due_at=datetime.now(UTC) + timedelta(days=1), hidden_from=(ben,))
    await deliver(sessions, cloudevent(created))
    await make_due(sessions, created.task_id)
    async with sessions() as session, session.begin():
        await fire_due(await session.connection(), 100)
    [event] = await fired_events(admin_db, created.task_id)
    assert event["data"]["notify_user_ids"] == [str(ann)]
    assert event["data"]["hidden_from"] == [str(ben)]


async def test_two_schedulers_claiming_at_once_fire_each_reminder_once(
    sessions_for, sessions, family, admin_db
):
    household_id, *_ = family
    tasks = [task(household_id, due_at=datetime.now(UTC) + timedelta(days=1)) for _ in range(60)]
    await deliver(sessions, *(cloudevent(t) for t in tasks))
    for t in tasks:
        await make_due(sessions, t.task_id)
    other = sessions_for("reminder")

    async def claim(factory) -> list:
        fired = []
        for _ in range(10):
            async with factory() as session, session.begin():
                fired += await fire_due(await session.connection(), 7)
        return fired

    a, b = await asyncio.gather(claim(sessions), claim(other))
    ids = {t.task_id for t in tasks}
    mine = [r.subject_id for r in a + b if r.subject_id in ids]
    assert sorted(mine, key=str) == sorted(ids, key=str)  # every one, none twice
    count = await admin_db.fetchval(
        "SELECT count(*) FROM reminder.outbox WHERE partition_key = ANY($1::text[])",
        [str(i) for i in ids],
    )
    assert count == len(ids)


async def test_a_yearly_occasion_is_reminded_of_before_its_next_date_at_nine_at_home(
    sessions, family
):
    household_id, *_ = family
    occasion_id = uuid.uuid4()
    today = datetime.now(UTC).date()
    birthday = date(
        1970, (today + timedelta(days=40)).month, min((today + timedelta(days=40)).day, 28)
    )
    await deliver(
        sessions,
        cloudevent(
            OccasionCreated(
                household_id=household_id,
                occasion_id=occasion_id,
                name="Mum's birthday",
                kind="birthday",
                date=birthday,
                recurs_yearly=True,
            )
        ),
    )
    rows = await pending(sessions, occasion_id)
    assert [r.offset for r in rows] == ["P14D", "P1D"]
    assert all(r.occasion_date.year in (today.year, today.year + 1) for r in rows)
    assert rows[0].remind_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).hour == 9


async def test_snoozing_a_fired_reminder_reminds_only_the_snoozer_and_leaves_the_task_alone(
    sessions, family
):
    from services.reminder.config import Settings
    from services.reminder.main import create_app

    household_id, ann, ben = family
    created = task(household_id, due_at=datetime.now(UTC) + timedelta(days=1))
    await deliver(sessions, cloudevent(created))
    await make_due(sessions, created.task_id)
    async with sessions() as session, session.begin():
        await fire_due(await session.connection(), 100)
    async with sessions() as session:
        original = (
            await session.execute(select(reminder).where(reminder.c.subject_id == created.task_id))
        ).one()

    url = str(sessions.kw["bind"].url.render_as_string(hide_password=False))
    app = create_app(Settings(database_url=url, app_api_token="sidecar-secret", db_pool_size=2))
    until = datetime.now(UTC) + timedelta(minutes=15)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reminder.test"
    ) as client:
        body = {"household_id": str(household_id), "user_id": str(ben), "until": until.isoformat()}
        refused = await client.post(f"/internal/reminders/{original.id}/snooze", json=body)
        answered = await client.post(
            f"/internal/reminders/{original.id}/snooze",
            json=body,
            headers={"dapr-api-token": "sidecar-secret"},
        )
        stranger = await client.post(
            f"/internal/reminders/{original.id}/snooze",
            json={**body, "user_id": str(uuid.uuid4())},
            headers={"dapr-api-token": "sidecar-secret"},
        )
    await app.state.engine.dispose()
    assert refused.status_code == 401
    assert answered.status_code == 200, answered.text
    assert stranger.status_code == 404
    [snoozed] = await pending(sessions, created.task_id)
    assert snoozed.snoozed_from == original.id
    assert snoozed.notify_user_ids == [ben]
    assert snoozed.due_at == original.due_at  # the task's due time (and its series) did not move
