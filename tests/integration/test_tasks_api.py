"""The gateway's task API: validation, reads kept from whom a task is about, an event for every change,
and the recurring processor's idempotent next-occurrence command."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.integration.accounts import family, invite_and_join, new_household, sign_up

APP_TOKEN = "sidecar-app-token"


@pytest.fixture
async def gateway(service_url):
    """The gateway in-process, with an app token so that the internal routes can be reached as the sidecar would."""
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    app = create_app(
        Settings(database_url=service_url("gateway"), db_pool_size=5, app_api_token=APP_TOKEN)
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client
    await app.state.engine.dispose()


def soon(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**(delta or {"days": 2}))).isoformat()


async def events_of(admin_db, task_id: str) -> list[dict]:
    rows = await admin_db.fetch(
        "SELECT cloudevent FROM gateway.outbox WHERE partition_key = $1 ORDER BY seq", task_id
    )
    return [json.loads(r["cloudevent"]) for r in rows]


async def new_task(client, household_id, account, **body) -> dict:
    response = await client.post(
        f"/api/households/{household_id}/tasks",
        json={"title": "Order the cake", **body},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_task_with_reminders_and_a_rule_is_created_with_its_event(gateway, admin_db):
    household_id, admin, adult, _ = await family(gateway)
    task = await new_task(
        gateway,
        household_id,
        admin,
        due_at=soon(),
        reminders=["P1D", "PT2H", "P1W", "P7D"],
        rrule="RRULE:FREQ=WEEKLY;BYDAY=SA",
        assignee_id=adult.user_id,
    )
    assert task["reminders"] == ["P1D", "PT2H", "P7D"]
    assert task["rrule"] == "FREQ=WEEKLY;BYDAY=SA"
    assert task["series_id"] == task["id"]
    [event] = await events_of(admin_db, task["id"])
    assert event["type"] == "giftflow.task.created.v1"
    assert event["data"]["reminder_offsets"] == ["P1D", "PT2H", "P7D"]
    assert event["data"]["assignee_id"] == adult.user_id
    assert event["data"]["recurrence_mode"] == "from_due"


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"reminders": ["P1D"]}, "reminders", "due time"),
        ({"rrule": "FREQ=DAILY"}, "rrule", "due time"),
        ({"due_at": "2020-01-01T10:00:00Z"}, "due_at", "past"),
        ({"due_at": "2030-01-01T10:00:00"}, "due_at", "timezone"),
        ({"due_at": "2030-01-01T10:00:00Z", "rrule": "FREQ=SOMETIMES"}, "rrule", "RRULE"),
        (
            {"due_at": "2030-01-01T10:00:00Z", "rrule": "FREQ=DAILY;UNTIL=20200101"},
            "rrule",
            "never repeats",
        ),
        (
            {
                "due_at": "2030-01-01T10:00:00Z",
                "rrule": "DTSTART:20300101T100000Z\nRRULE:FREQ=DAILY",
            },
            "rrule",
            "one RRULE",
        ),
        ({"due_at": "2030-01-01T10:00:00Z", "reminders": ["1 day"]}, "reminders", "ISO 8601"),
        ({"assignee_id": str(uuid.uuid4())}, "assignee_id", "member"),
        ({"occasion_id": str(uuid.uuid4())}, "occasion_id", "occasion"),
        ({"person_id": str(uuid.uuid4())}, "person_id", "person"),
    ],
)
async def test_what_cannot_be_scheduled_is_a_422_that_says_why(gateway, body, field, says):
    admin = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, admin)
    response = await gateway.post(
        f"/api/households/{household_id}/tasks", json={"title": "T", **body}, headers=admin.headers
    )
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert any(field in d["field"] and says.lower() in d["problem"].lower() for d in details), (
        details
    )


async def test_non_members_get_404_and_another_households_person_cannot_be_linked(gateway):
    household_id, admin, _, _ = await family(gateway)
    other = await sign_up(gateway, name="Zed")
    other_household = await new_household(gateway, other)
    person = await gateway.post(
        f"/api/households/{other_household}/people", json={"name": "Zia"}, headers=other.headers
    )
    assert person.status_code == 201, person.text
    task = await new_task(gateway, household_id, admin)
    assert (
        await gateway.get(
            f"/api/households/{household_id}/tasks/{task['id']}", headers=other.headers
        )
    ).status_code == 404
    linked = await gateway.post(
        f"/api/households/{household_id}/tasks",
        json={"title": "T", "person_id": person.json()["id"]},
        headers=admin.headers,
    )
    assert linked.status_code == 422


async def test_moving_the_due_time_is_a_reschedule_and_renaming_is_an_update(gateway, admin_db):
    household_id, admin, _, _ = await family(gateway)
    task = await new_task(gateway, household_id, admin, due_at=soon(), reminders=["PT1H"])
    url = f"/api/households/{household_id}/tasks/{task['id']}"
    assert (
        await gateway.patch(url, json={"title": "Order the big cake"}, headers=admin.headers)
    ).status_code == 200
    assert (
        await gateway.patch(url, json={"due_at": soon(days=3)}, headers=admin.headers)
    ).status_code == 200
    cleared = await gateway.patch(url, json={"due_at": None}, headers=admin.headers)
    assert cleared.status_code == 422  # it still has a reminder
    events = await events_of(admin_db, task["id"])
    assert [e["type"].split(".")[2] for e in events] == ["created", "updated", "rescheduled"]
    assert [e["data"]["revision"] for e in events] == [1, 2, 3]
    assert events[2]["data"]["changed"] == ["due_at"]


async def test_completing_twice_is_one_completion_and_reopening_is_an_event(gateway, admin_db):
    household_id, admin, adult, _ = await family(gateway)
    task = await new_task(gateway, household_id, admin, due_at=soon())
    url = f"/api/households/{household_id}/tasks/{task['id']}"
    done = await gateway.post(f"{url}/complete", headers=adult.headers)
    again = await gateway.post(f"{url}/complete", headers=adult.headers)
    reopened = await gateway.post(f"{url}/reopen", headers=adult.headers)
    assert done.json()["status"] == again.json()["status"] == "done"
    assert done.json()["completed_by"] == adult.user_id
    assert reopened.json()["status"] == "open" and reopened.json()["completed_at"] is None
    assert [e["type"].split(".")[2] for e in await events_of(admin_db, task["id"])] == [
        "created",
        "completed",
        "reopened",
    ]


async def test_my_tasks_and_the_due_window(gateway):
    household_id, admin, adult, _ = await family(gateway)
    soonest = await new_task(
        gateway, household_id, admin, due_at=soon(days=1), assignee_id=adult.user_id
    )
    later = await new_task(
        gateway, household_id, admin, due_at=soon(days=10), assignee_id=adult.user_id
    )
    undated = await new_task(gateway, household_id, admin, assignee_id=adult.user_id)
    await new_task(gateway, household_id, admin, due_at=soon(days=1))  # nobody's
    mine = await gateway.get(f"/api/households/{household_id}/my-tasks", headers=adult.headers)
    assert [t["id"] for t in mine.json()["items"]] == [soonest["id"], later["id"], undated["id"]]
    window = await gateway.get(
        f"/api/households/{household_id}/tasks",
        headers=adult.headers,
        params={"due_after": soon(days=5), "due_before": soon(days=20)},
    )
    assert [t["id"] for t in window.json()["items"]] == [later["id"]]
    first = await gateway.get(
        f"/api/households/{household_id}/tasks",
        params={"limit": 2, "mine": True},
        headers=adult.headers,
    )
    second = await gateway.get(
        f"/api/households/{household_id}/tasks",
        headers=adult.headers,
        params={"limit": 2, "mine": True, "cursor": first.json()["next_cursor"]},
    )
    assert [t["id"] for t in first.json()["items"] + second.json()["items"]] == [
        soonest["id"],
        later["id"],
        undated["id"],
    ]


async def test_a_task_about_a_member_is_kept_from_them(gateway, admin_db):
    household_id, admin, adult, child = await family(gateway)
    cleo = await gateway.post(
        f"/api/households/{household_id}/people",
        json={"name": "Cleo", "linked_user_id": child.user_id},
        headers=admin.headers,
    )
    assert cleo.status_code == 201, cleo.text
    task = await new_task(gateway, household_id, admin, due_at=soon(), person_id=cleo.json()["id"])
    seen_by_child = await gateway.get(
        f"/api/households/{household_id}/tasks", headers=child.headers
    )
    assert task["id"] not in [t["id"] for t in seen_by_child.json()["items"]]
    assert (
        await gateway.get(
            f"/api/households/{household_id}/tasks/{task['id']}", headers=child.headers
        )
    ).status_code == 404
    [event] = await events_of(admin_db, task["id"])
    assert event["data"]["hidden_from"] == [child.user_id]


async def test_next_occurrence_is_made_once_however_often_it_is_asked(gateway, admin_db):
    household_id, admin, _, _ = await family(gateway)
    task = await new_task(
        gateway, household_id, admin, due_at=soon(), rrule="FREQ=DAILY", reminders=["PT1H"]
    )
    due = (datetime.fromisoformat(task["due_at"]) + timedelta(days=1)).isoformat()
    url = f"/api/internal/tasks/{task['id']}/next-occurrence"
    as_sidecar = {"dapr-api-token": APP_TOKEN}
    refused = await gateway.post(url, json={"occurrence_due_at": due}, headers=admin.headers)
    first = await gateway.post(url, json={"occurrence_due_at": due}, headers=as_sidecar)
    retry = await gateway.post(url, json={"occurrence_due_at": due}, headers=as_sidecar)
    assert refused.status_code == 401
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"]
    made = first.json()
    assert made["series_id"] == task["id"] and made["previous_task_id"] == task["id"]
    assert made["reminders"] == ["PT1H"] and made["status"] == "open"
    assert (
        await admin_db.fetchval(
            "SELECT count(*) FROM gateway.task WHERE series_id = $1", uuid.UUID(task["id"])
        )
        == 2
    )
    [event] = await events_of(admin_db, made["id"])
    assert (
        event["type"] == "giftflow.task.created.v1" and event["data"]["occurrence_at"] is not None
    )


async def test_a_yearly_occasion_rolls_over_once(gateway, admin_db):
    household_id, admin, _, _ = await family(gateway)
    occasion = await gateway.post(
        f"/api/households/{household_id}/occasions",
        json={
            "name": "Mum's birthday",
            "kind": "birthday",
            "date": "1970-03-12",
            "recurs_yearly": True,
        },
        headers=admin.headers,
    )
    assert occasion.status_code == 201, occasion.text
    url = f"/api/internal/occasions/{occasion.json()['id']}/roll-over"
    body = {"previous_date": "2026-03-12", "next_date": "2027-03-12"}
    first = await gateway.post(url, json=body, headers={"dapr-api-token": APP_TOKEN})
    retry = await gateway.post(url, json=body, headers={"dapr-api-token": APP_TOKEN})
    assert (first.status_code, retry.status_code) == (201, 200)
    rows = await admin_db.fetch(
        "SELECT event_type FROM gateway.outbox WHERE partition_key = $1", occasion.json()["id"]
    )
    assert [r["event_type"] for r in rows].count("giftflow.occasion.rolled_over.v1") == 1


async def test_deleting_a_task_publishes_its_deletion(gateway, admin_db):
    household_id, admin, adult, _ = await family(gateway)
    task = await new_task(gateway, household_id, admin, due_at=soon())
    response = await gateway.delete(
        f"/api/households/{household_id}/tasks/{task['id']}", headers=adult.headers
    )
    assert response.status_code == 204
    assert (await events_of(admin_db, task["id"]))[-1]["type"] == "giftflow.task.deleted.v1"


async def test_joining_members_can_be_assigned(gateway):
    admin = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, admin)
    ben = await invite_and_join(gateway, household_id, admin=admin, name="Ben")
    task = await new_task(gateway, household_id, admin, assignee_id=ben.user_id)
    assert task["assignee_id"] == ben.user_id


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "either"),
        ({"until": "2030-01-01T10:00:00Z", "for": "PT5M"}, "either"),
        ({"for": "five minutes"}, "ISO 8601"),
    ],
)
async def test_snoozing_needs_either_a_time_or_a_duration(gateway, body, says):
    admin = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, admin)
    response = await gateway.post(
        f"/api/households/{household_id}/reminders/{uuid.uuid4()}/snooze",
        json=body,
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text
    assert says.lower() in json.dumps(response.json()["error"]["details"]).lower()
