"""Chores through the gateway against Postgres: repeating some time after it was done, open tasks any
member takes (one of two at once) or gives back, rotations and whose turn the next one may be, and the
history of who did what."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.accounts import family, new_household, outbox_events, sign_up
from tests.integration.test_tasks_api import APP_TOKEN, gateway, new_task, soon

__all__ = ["gateway"]  # the fixture, shared with the task API's tests

AS_SIDECAR = {"dapr-api-token": APP_TOKEN}


def hh(household_id: str, path: str) -> str:
    return f"/api/households/{household_id}{path}"


async def next_one(gateway, task: dict, assignee=..., days: int = 3) -> dict:
    """The next occurrence, as the recurring processor asks for it (with its pick, if any)."""
    due = (datetime.fromisoformat(task["due_at"]) + timedelta(days=days)).isoformat()
    body = {"occurrence_due_at": due} | ({} if assignee is ... else {"assignee_id": assignee})
    made = await gateway.post(
        f"/api/internal/tasks/{task['id']}/next-occurrence", json=body, headers=AS_SIDECAR
    )
    assert made.status_code == 201, made.text
    return made.json()


async def test_every_three_days_after_it_was_done_is_a_rule_counted_from_completion(gateway):
    admin = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, admin)
    task = await new_task(
        gateway,
        household_id,
        admin,
        due_at=soon(),
        rrule="FREQ=DAILY;INTERVAL=3",
        recurrence_mode="from_completion",
        reminders=["PT45M", "P3D"],
    )
    assert (task["rrule"], task["recurrence_mode"]) == ("FREQ=DAILY;INTERVAL=3", "from_completion")
    assert task["reminders"] == ["PT45M", "P3D"] and task["rotation"] == []


@pytest.mark.parametrize(
    "body, field, says",
    [
        ({"recurrence_mode": "from_completion"}, "recurrence_mode", "needs a repeat rule"),
        ({"rotation": ["{adult}"], "rotation_mode": "round_robin"}, "rotation", "repeat rule"),
        ({"rrule": "FREQ=WEEKLY", "rotation": ["{adult}"]}, "rotation_mode", "round_robin"),
        ({"rrule": "FREQ=WEEKLY", "rotation_mode": "least_done"}, "rotation_mode", "members"),
        (
            {"rrule": "FREQ=WEEKLY", "rotation": ["{stranger}"], "rotation_mode": "round_robin"},
            "rotation",
            "members of this household",
        ),
        ({"rrule": "FREQ=WEEKLY", "rotation_mode": "whoever"}, "rotation_mode", ""),
    ],
)
async def test_combinations_that_cannot_work_are_a_422_that_says_why(gateway, body, field, says):
    household_id, admin, adult, _ = await family(gateway)
    ids = {"adult": adult.user_id, "stranger": str(uuid.uuid4())}
    body = {k: [m.format(**ids) for m in v] if isinstance(v, list) else v for k, v in body.items()}
    response = await gateway.post(
        hh(household_id, "/tasks"),
        json={"title": "Bins out", "due_at": soon(), **body},
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert any(field in d["field"] and says in d["problem"] for d in details), details


async def test_a_rotation_cannot_give_a_turn_to_the_member_the_chore_is_a_surprise_for(gateway):
    household_id, admin, adult, child = await family(gateway)
    cleo = await gateway.post(
        hh(household_id, "/people"),
        json={"name": "Cleo", "linked_user_id": child.user_id},
        headers=admin.headers,
    )
    response = await gateway.post(
        hh(household_id, "/tasks"),
        json={
            "title": "Wrap Cleo's bike",
            "due_at": soon(),
            "rrule": "FREQ=WEEKLY",
            "person_id": cleo.json()["id"],
            "rotation": [adult.user_id, child.user_id],
            "rotation_mode": "round_robin",
        },
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text
    assert "surprise" in response.json()["error"]["details"][0]["problem"]


async def test_of_two_members_taking_an_open_task_at_once_one_gets_it_and_the_other_a_409(
    gateway, admin_db
):
    household_id, admin, adult, _ = await family(gateway)
    task = await new_task(gateway, household_id, admin, due_at=soon(), assignee_id=None)
    free = await gateway.get(hh(household_id, "/tasks?unassigned=true"), headers=adult.headers)
    assert [t["id"] for t in free.json()["items"]] == [task["id"]]

    url = hh(household_id, f"/tasks/{task['id']}/take")
    answers = await asyncio.gather(
        gateway.post(url, headers=admin.headers), gateway.post(url, headers=adult.headers)
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    [won] = [a.json() for a in answers if a.status_code == 200]
    [lost] = [a.json() for a in answers if a.status_code == 409]
    winner = {admin.user_id: "Ann", adult.user_id: "Ben"}
    assert won["assignee_id"] in winner
    assert f"taken by {winner[won['assignee_id']]}" in lost["error"]["message"]
    updates = await outbox_events(admin_db, task["id"], "task.updated")
    assert [(e["data"]["changed"], e["data"]["assignee_id"]) for e in updates] == [
        (["assignee_id"], won["assignee_id"])
    ]
    free = await gateway.get(hh(household_id, "/tasks?unassigned=true"), headers=adult.headers)
    assert free.json()["items"] == []


async def test_only_whoever_has_a_task_gives_it_back_and_then_anyone_may_take_it(gateway):
    household_id, admin, adult, child = await family(gateway)
    task = await new_task(gateway, household_id, admin, due_at=soon(), assignee_id=adult.user_id)
    url = hh(household_id, f"/tasks/{task['id']}")
    refused = await gateway.post(f"{url}/give-back", headers=admin.headers)
    assert refused.status_code == 409 and "Ben's" in refused.json()["error"]["message"]
    given = await gateway.post(f"{url}/give-back", headers=adult.headers)
    assert given.status_code == 200 and given.json()["assignee_id"] is None
    again = await gateway.post(f"{url}/give-back", headers=adult.headers)
    assert again.status_code == 200  # given back twice is given back once
    taken = await gateway.post(f"{url}/take", headers=child.headers)
    assert taken.json()["assignee_id"] == child.user_id
    assert (await gateway.post(f"{url}/take", headers=child.headers)).status_code == 200
    await gateway.post(f"{url}/complete", headers=child.headers)
    done = await gateway.post(f"{url}/give-back", headers=child.headers)
    assert done.status_code == 200  # a done task can still be given back; taking a done one cannot
    assert (await gateway.post(f"{url}/take", headers=adult.headers)).status_code == 409


async def test_the_next_one_goes_to_the_rotations_pick_but_not_to_one_who_left(gateway, admin_db):
    household_id, admin, adult, child = await family(gateway)
    task = await new_task(
        gateway,
        household_id,
        admin,
        due_at=soon(),
        assignee_id=admin.user_id,
        rrule="FREQ=DAILY;INTERVAL=3",
        recurrence_mode="from_completion",
        rotation=[admin.user_id, adult.user_id, child.user_id],
        rotation_mode="round_robin",
    )
    second = await next_one(gateway, task, adult.user_id)
    assert second["assignee_id"] == adult.user_id
    assert second["rotation"] == task["rotation"] and second["rotation_mode"] == "round_robin"
    [created] = await outbox_events(admin_db, second["id"], "task.created")
    assert created["data"]["rotation"] == task["rotation"]

    left = await gateway.delete(
        hh(household_id, f"/members/{child.user_id}"), headers=admin.headers
    )
    assert left.status_code == 204, left.text
    now = await gateway.get(hh(household_id, f"/tasks/{second['id']}"), headers=admin.headers)
    assert now.json()["rotation"] == [admin.user_id, adult.user_id]
    # the processor had not heard yet and picked Cleo: the next one is up for grabs instead
    third = await next_one(gateway, second, child.user_id)
    assert third["assignee_id"] is None and third["rotation"] == [admin.user_id, adult.user_id]
    # without a pick (a processor before rotations) it goes to whoever had this one, as before
    fourth = await next_one(gateway, await next_one(gateway, third, adult.user_id))
    assert fourth["assignee_id"] == adult.user_id


async def test_the_history_says_who_did_each_one_when_and_how_often_each_has(gateway):
    household_id, admin, adult, child = await family(gateway)
    task = await new_task(
        gateway,
        household_id,
        admin,
        due_at=soon(),
        assignee_id=admin.user_id,
        rrule="FREQ=WEEKLY",
        rotation=[admin.user_id, adult.user_id],
        rotation_mode="least_done",
    )
    second = await next_one(gateway, task, adult.user_id, days=7)
    third = await next_one(gateway, second, admin.user_id, days=7)
    for done, by in ((task, admin), (second, child), (third, admin)):
        answer = await gateway.post(
            hh(household_id, f"/tasks/{done['id']}/complete"), headers=by.headers
        )
        assert answer.status_code == 200, answer.text

    history = await gateway.get(
        hh(household_id, f"/tasks/{second['id']}/history"), headers=adult.headers
    )
    assert history.status_code == 200, history.text
    seen = history.json()
    assert seen["series_id"] == task["id"]
    assert [(c["user_id"], c["done"]) for c in seen["counts"]] == [
        (admin.user_id, 2),
        (child.user_id, 1),
        (adult.user_id, 0),  # in the rotation, never done it yet
    ]
    assert [(d["task_id"], d["completed_by"]) for d in seen["done"]] == [
        (third["id"], admin.user_id),
        (second["id"], child.user_id),
        (task["id"], admin.user_id),
    ]
    assert all(datetime.fromisoformat(d["completed_at"]) <= datetime.now(UTC) for d in seen["done"])
    stranger = await sign_up(gateway, name="Zed")
    await new_household(gateway, stranger)
    elsewhere = await gateway.get(
        hh(household_id, f"/tasks/{task['id']}/history"), headers=stranger.headers
    )
    assert elsewhere.status_code == 404
