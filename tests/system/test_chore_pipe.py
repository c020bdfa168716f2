"""A rotating chore through the whole stack: completing it reaches the recurring processor through
Kafka, which asks the gateway (Dapr service invocation) for the next one, given to whose turn it is;
that one is announced to the household as the next one, with whose it is."""

import uuid

from tests.integration.accounts import invite_and_join, new_household, sign_up
from tests.system.conftest import eventually
from tests.system.test_tasks_pipe import in_seconds


async def test_completing_a_rotating_chore_makes_the_next_one_for_the_next_in_turn(
    stack, gateway, db
):
    ann = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, ann, "Rotas", "Europe/Berlin")
    ben = await invite_and_join(gateway, household_id, admin=ann, name="Ben")
    made = await gateway.post(
        f"/api/households/{household_id}/tasks",
        json={
            "title": "Take the bins out",
            "due_at": in_seconds(3600),
            "assignee_id": ann.user_id,
            "rrule": "FREQ=DAILY;INTERVAL=3",
            "recurrence_mode": "from_completion",
            "rotation": [ann.user_id, ben.user_id],
            "rotation_mode": "round_robin",
        },
        headers=ann.headers,
    )
    assert made.status_code == 201, made.text
    chore = made.json()
    done = await gateway.post(
        f"/api/households/{household_id}/tasks/{chore['id']}/complete", headers=ann.headers
    )
    assert done.status_code == 200, done.text

    async def next_one() -> dict | None:
        row = await db.fetchrow(
            "SELECT * FROM gateway.task WHERE previous_task_id = $1", uuid.UUID(chore["id"])
        )
        return dict(row) if row else None

    await eventually(next_one, "the recurring processor had the next one made")
    following = await next_one()
    assert following is not None
    assert following["assignee_id"] == uuid.UUID(ben.user_id)  # Ben's turn after Ann's
    assert following["series_id"] == uuid.UUID(chore["id"]) and following["status"] == "open"
    assert [str(u) for u in following["rotation"]] == [ann.user_id, ben.user_id]

    # announced as the next one, to both of them (a rotating chore is everyone's news)
    async def announced() -> list:
        return await db.fetch(
            "SELECT user_id, text FROM notification.notification WHERE entity_id = $1",
            following["id"],
        )

    async def both_told() -> bool:
        return len(await announced()) == 2

    await eventually(both_told, "the next one was announced to Ann and Ben")
    for row in await announced():
        assert row["text"].startswith("Next: “Take the bins out”, due ")
        assert row["text"].endswith(", assigned to Ben")
