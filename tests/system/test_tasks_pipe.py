"""Tasks through the whole stack: reminders fire once and on time through the reminder service's own
outbox, across a crash and with two replicas; a recurring task's next one is made once through Dapr
service invocation, however often its completion is delivered."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.system.conftest import eventually, publish_raw

PASSWORD = "correct horse battery staple"


async def signed_up_household(gateway: httpx.AsyncClient) -> tuple[str, dict, str]:
    """(household id, auth headers, user id) of a new admin."""
    email = f"tasks-{uuid.uuid4().hex[:12]}@example.com"
    signed_up = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "display_name": "Ann"}
    )
    assert signed_up.status_code == 201, signed_up.text
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
    gateway.cookies.clear()
    household = await gateway.post(
        "/api/households", json={"name": "Smiths", "timezone": "Europe/Berlin"}, headers=headers
    )
    assert household.status_code == 201, household.text
    return household.json()["id"], headers, signed_up.json()["user"]["id"]


async def create_task(gateway, household_id, headers, **body) -> dict:
    response = await gateway.post(
        f"/api/households/{household_id}/tasks",
        json={"title": "Wrap presents", **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def in_seconds(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def scheduled(db, task_id: str) -> list:
    return await db.fetch(
        "SELECT * FROM reminder.reminder WHERE subject_id = $1", uuid.UUID(task_id)
    )


async def triggered_events(db, task_id: str) -> list:
    return await db.fetch("SELECT * FROM reminder.outbox WHERE partition_key = $1", task_id)


async def delivered_to_audit(db, task_id: str) -> int:
    """How many reminder.triggered events for the task came through Kafka to a consumer (the audit log)."""
    return await db.fetchval(
        "SELECT count(*) FROM audit.audit_entry WHERE event_type = 'giftflow.reminder.triggered.v1' "
        "AND subject = $1",
        task_id,
    )


async def fired_once_and_delivered(db, task_id: str) -> None:
    async def delivered() -> bool:
        return await delivered_to_audit(db, task_id) >= 1

    await eventually(delivered, f"the reminder of task {task_id} reached a consumer")
    await asyncio.sleep(2)  # time enough for a duplicate to show, were there one
    rows = await scheduled(db, task_id)
    assert len(rows) == 1 and rows[0]["fired_at"] is not None
    assert len(await triggered_events(db, task_id)) == 1
    assert await delivered_to_audit(db, task_id) == 1


async def test_a_task_due_in_seconds_fires_its_reminder_once(stack, gateway, db):
    household_id, headers, user_id = await signed_up_household(gateway)
    task = await create_task(
        gateway,
        household_id,
        headers,
        due_at=in_seconds(8),
        reminders=["PT5S"],
        assignee_id=user_id,
    )

    await fired_once_and_delivered(db, task["id"])
    [event] = await triggered_events(db, task["id"])
    data = json.loads(event["cloudevent"])["data"]
    assert data["notify_user_ids"] == [user_id]
    assert data["task_id"] == task["id"] and data["offset"] == "PT5S"


async def test_snoozing_a_fired_reminder_reminds_me_again_once_and_moves_nothing_else(
    stack, gateway, db
):
    household_id, headers, user_id = await signed_up_household(gateway)
    task = await create_task(
        gateway,
        household_id,
        headers,
        due_at=in_seconds(3600),
        reminders=["PT59M57S"],
        assignee_id=user_id,
    )
    await fired_once_and_delivered(db, task["id"])
    [original] = await scheduled(db, task["id"])

    snoozed = await gateway.post(
        f"/api/households/{household_id}/reminders/{original['id']}/snooze",
        json={"for": "PT2S"},
        headers=headers,
    )  # through Dapr to the reminder service
    assert snoozed.status_code == 200, snoozed.text
    assert snoozed.json()["snoozed_from"] == str(original["id"])

    async def reminded_again() -> bool:
        return await delivered_to_audit(db, task["id"]) >= 2

    await eventually(reminded_again, "the snoozed reminder came again")
    await asyncio.sleep(2)
    assert await delivered_to_audit(db, task["id"]) == 2
    again = [json.loads(e["cloudevent"])["data"] for e in await triggered_events(db, task["id"])]
    assert sorted(str(e["snoozed_from"]) for e in again) == sorted([str(original["id"]), "None"])
    current = await gateway.get(
        f"/api/households/{household_id}/tasks/{task['id']}", headers=headers
    )
    assert current.json()["due_at"] == task["due_at"]  # the task itself did not move
    stranger_household, stranger, _ = await signed_up_household(gateway)
    refused = await gateway.post(
        f"/api/households/{stranger_household}/reminders/{original['id']}/snooze",
        json={"for": "PT1M"},
        headers=stranger,
    )
    assert refused.status_code == 404


async def test_a_reminder_due_while_the_service_is_down_fires_after_its_restart(stack, gateway, db):
    household_id, headers, _ = await signed_up_household(gateway)
    task = await create_task(
        gateway, household_id, headers, due_at=in_seconds(12), reminders=["PT6S"]
    )

    async def is_scheduled() -> bool:
        return len(await scheduled(db, task["id"])) == 1

    await eventually(is_scheduled, "the reminder was scheduled")
    stack.kill("app-reminder")
    try:
        [row] = await scheduled(db, task["id"])
        await asyncio.sleep(max(0.0, (row["remind_at"] - datetime.now(UTC)).total_seconds()) + 1)
        assert (await scheduled(db, task["id"]))[0][
            "fired_at"
        ] is None  # nobody was there to fire it
    finally:
        stack.start_app("reminder")
    await fired_once_and_delivered(db, task["id"])


@pytest.fixture
def second_reminder_replica(stack):
    """Another reminder process on the same database, publishing through the first one's sidecar."""
    name = "app-reminder-2"
    stack.start_app(
        "reminder",
        name=name,
        port=stack.t.base_port + 60,
        extra_env={"DAPR_HTTP_ENDPOINT": stack.t.dapr_url("reminder")},
    )
    yield name
    stack.stop(name)


async def test_two_replicas_fire_each_reminder_once(stack, gateway, db, second_reminder_replica):
    household_id, headers, _ = await signed_up_household(gateway)
    due = in_seconds(15)
    tasks = [
        await create_task(
            gateway,
            household_id,
            headers,
            title=f"Task {i}",
            due_at=due,
            reminders=["PT5S", "PT4S"],
        )
        for i in range(8)
    ]

    async def all_fired() -> bool:
        counts = [await delivered_to_audit(db, t["id"]) for t in tasks]
        return all(n >= 2 for n in counts)

    await eventually(all_fired, "every reminder reached a consumer")
    await asyncio.sleep(2)
    for task in tasks:
        rows = await scheduled(db, task["id"])
        assert len(rows) == 2 and all(r["fired_at"] is not None for r in rows)
        assert len(await triggered_events(db, task["id"])) == 2
        assert await delivered_to_audit(db, task["id"]) == 2


async def test_completing_a_daily_task_twice_over_creates_one_next_task(stack, gateway, db):
    household_id, headers, _ = await signed_up_household(gateway)
    task = await create_task(
        gateway,
        household_id,
        headers,
        title="Feed the cat",
        due_at=in_seconds(3600),
        rrule="FREQ=DAILY",
        reminders=["PT10M"],
    )
    done = await gateway.post(
        f"/api/households/{household_id}/tasks/{task['id']}/complete", headers=headers
    )
    assert done.status_code == 200, done.text
    completion = await db.fetchrow(
        "SELECT cloudevent FROM gateway.outbox WHERE partition_key = $1 AND event_type = $2",
        task["id"],
        "giftflow.task.completed.v1",
    )
    cloudevent = json.loads(completion["cloudevent"])
    await publish_raw(stack, "task", cloudevent, task["id"])  # the same event delivered again
    await publish_raw(
        stack, "task", {**cloudevent, "id": str(uuid.uuid4())}, task["id"]
    )  # and as another event

    async def next_task_made() -> bool:
        return (
            await db.fetchval(
                "SELECT count(*) FROM gateway.task WHERE series_id = $1", uuid.UUID(task["id"])
            )
            >= 2
        )

    await eventually(next_task_made, "the next task of the series was made")

    async def all_handled() -> bool:
        return (
            await db.fetchval(
                "SELECT count(*) FROM recurring.processed_event WHERE event_id = $1",
                uuid.UUID(cloudevent["id"]),
            )
            == 1
        )

    await eventually(all_handled, "the recurring processor saw the completion")
    await asyncio.sleep(3)
    rows = await db.fetch(
        "SELECT * FROM gateway.task WHERE series_id = $1 ORDER BY due_at", uuid.UUID(task["id"])
    )
    assert len(rows) == 2
    # the next one is due a day later, at the same wall time (rrule counts whole seconds)
    assert rows[1]["due_at"] - rows[0]["due_at"].replace(microsecond=0) == timedelta(days=1)
    assert rows[1]["previous_task_id"] == uuid.UUID(task["id"]) and rows[1]["status"] == "open"
    [made] = await db.fetch(
        "SELECT * FROM recurring.occurrence WHERE subject_id = $1", uuid.UUID(task["id"])
    )
    assert made["status"] == "done" and made["result_id"] == rows[1]["id"]
