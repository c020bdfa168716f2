"""Poison events through the real stack: a well-formed event whose data no consumer can ever handle (a
zone that does not exist, a reminder 9000 years ahead) is dead-lettered by every consumer at once,
and the events published after it, on its topic and on others, are handled meanwhile.

Retried instead, it would hold its partition for Dapr's whole retry policy (20 tries, backing off to
10 s each: minutes), longer than these tests wait for anything: that they pass at all shows it was not.
"""

import uuid
from datetime import UTC, datetime, timedelta

from scripts.stack.topology import CONSUMERS
from tests.system.conftest import (
    consumers_that_processed,
    publish_raw,
    wait_until_all_consumers_processed,
)
from tests.system.test_event_pipe import dead_lettered, household_created_cloudevent


def task_created_cloudevent(household_id: str, **data) -> dict:
    task_id = str(uuid.uuid4())
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "giftflow/tests",
        "type": "giftflow.task.created.v1",
        "subject": task_id,
        "household": household_id,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": {
            "household_id": household_id,
            "task_id": task_id,
            "revision": 1,
            "title": "Wrap the presents",
            "status": "open",
            "due_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "timezone": "Europe/Berlin",
            "reminder_offsets": ["P1D"],
            **data,
        },
    }


async def test_a_poison_event_is_dead_lettered_at_once_while_the_events_behind_it_are_handled(
    stack, db
):
    household_id = str(uuid.uuid4())
    poisons = [
        task_created_cloudevent(household_id, timezone="Mars/Olympus_Mons"),
        task_created_cloudevent(household_id, reminder_offsets=["P9000Y"]),
    ]
    behind_on_its_topic = task_created_cloudevent(household_id)
    behind_on_another = household_created_cloudevent(household_id)
    for poison in poisons:  # one key: one partition, where a retried event would hold up the rest
        await publish_raw(stack, "task", poison, household_id)
    await publish_raw(stack, "task", behind_on_its_topic, household_id)
    await publish_raw(stack, "household", behind_on_another, household_id)

    await wait_until_all_consumers_processed(db, uuid.UUID(behind_on_its_topic["id"]))
    await wait_until_all_consumers_processed(db, uuid.UUID(behind_on_another["id"]))
    for poison in poisons:
        assert set((await consumers_that_processed(db, uuid.UUID(poison["id"]))).values()) == {0}
        for consumer in CONSUMERS:
            assert await dead_lettered(stack, f"deadletter.{consumer}", poison["id"]), consumer
