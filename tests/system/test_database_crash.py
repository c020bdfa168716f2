"""Postgres killed -9 under traffic: every write the gateway acknowledged survives, nothing anywhere
shows the effect of a write that does not exist, no reminder fires twice; while the database is down the
gateway answers 503 with Retry-After, and the system takes writes again once it is back."""

import asyncio
import json
import uuid
from dataclasses import dataclass, field

import httpx

from tests.system.conftest import eventually
from tests.system.test_tasks_pipe import in_seconds, signed_up_household

WRITERS = 4
BEFORE_CRASH = 12  # acknowledged writes before Postgres is killed
DUE_IN_S, REMINDER_BEFORE = (
    8,
    "5 seconds",
)  # each task's one reminder comes due 3 s after it is asked for
AFTER_RESTART = 12  # and after it is back


@dataclass
class Traffic:
    """Tasks with a reminder due within seconds, created side by side until told to stop."""

    gateway: httpx.AsyncClient
    household_id: str
    headers: dict
    assignee_id: str
    acknowledged: list[str] = field(default_factory=list)  # ids of tasks answered 201
    unavailable: list[httpx.Response] = field(default_factory=list)  # 503s
    other: list[str] = field(default_factory=list)  # anything else: the outcome is unknown
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def write(self) -> None:
        while not self.stop.is_set():
            body = {
                "title": f"Wrap present {uuid.uuid4().hex[:6]}",
                "due_at": in_seconds(DUE_IN_S),
                "reminders": ["PT5S"],
                "assignee_id": self.assignee_id,
            }
            try:
                response = await self.gateway.post(
                    f"/api/households/{self.household_id}/tasks", json=body, headers=self.headers
                )
            except httpx.HTTPError as error:
                self.other.append(repr(error))
            else:
                if response.status_code == 201:
                    self.acknowledged.append(response.json()["id"])
                elif response.status_code == 503:
                    self.unavailable.append(response)
                else:
                    self.other.append(f"{response.status_code} {response.text}")
            await asyncio.sleep(0.05)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert int(response.headers["retry-after"]) == error["details"]["retry_after_s"] >= 1


async def test_a_postgres_crash_under_traffic_loses_no_acknowledged_write_and_fires_no_reminder_twice(
    stack, gateway, db
):
    household_id, headers, user_id = await signed_up_household(gateway)
    traffic = Traffic(gateway, household_id, headers, user_id)
    writers = [asyncio.create_task(traffic.write()) for _ in range(WRITERS)]
    try:
        await eventually(
            lambda: _at_least(traffic.acknowledged, BEFORE_CRASH), "writes before the crash"
        )
        stack.crash_postgres()
        db.terminate()  # its connection died with the server

        down = await gateway.post(
            f"/api/households/{household_id}/tasks",
            headers=headers,
            json={"title": "While it is down", "due_at": in_seconds(60)},
        )
        assert_unavailable(down)
        await eventually(
            lambda: _at_least(traffic.unavailable, 3), "the writers told to come back later"
        )

        stack.start_postgres()
        acknowledged_before_restart = len(traffic.acknowledged)
        await eventually(
            lambda: _at_least(traffic.acknowledged, acknowledged_before_restart + AFTER_RESTART),
            "writes acknowledged again once Postgres is back",
        )
    finally:
        traffic.stop.set()
        await asyncio.gather(*writers)

    for response in traffic.unavailable:
        assert_unavailable(response)
    db = await stack_db(stack)
    try:
        await assert_nothing_lost_nothing_invented_nothing_twice(
            db, household_id, traffic.acknowledged
        )
    finally:
        await db.close()


async def _at_least(items: list, count: int) -> bool:
    return len(items) >= count


async def stack_db(stack):
    import asyncpg

    return await asyncpg.connect(stack.t.database_dsn())


async def assert_nothing_lost_nothing_invented_nothing_twice(
    db, household_id: str, acknowledged: list[str]
) -> None:
    household = uuid.UUID(household_id)
    tasks = {
        str(r["id"])
        for r in await db.fetch("SELECT id FROM gateway.task WHERE household_id = $1", household)
    }
    assert set(acknowledged) <= tasks, "an acknowledged write is missing"
    # a reminder already past when its task was made is skipped, not fired (a request that waited out
    # the outage can make one so): the others must each fire once
    due = set(await reminders_worth_firing(db, household_id))
    assert due and due <= tasks

    # every task the gateway has reaches the consumers, and each reminder fires and is delivered
    async def settled() -> bool:
        pending = await db.fetchval(
            "SELECT count(*) FROM gateway.outbox WHERE published_at IS NULL AND cloudevent->>'household' = $1",
            household_id,
        )
        fired = await db.fetchval(
            "SELECT count(DISTINCT subject) FROM audit.audit_entry "
            "WHERE household_id = $1 AND event_type = 'giftflow.reminder.triggered.v1'",
            household,
        )
        return pending == 0 and fired >= len(due)

    await eventually(settled, f"the reminders of {len(due)} tasks fired and delivered")
    await asyncio.sleep(3)  # time enough for a second firing to show, were there one

    # nothing shows the effect of a write that does not exist
    gateway_events = {
        r["id"]
        for r in await db.fetch(
            "SELECT id FROM gateway.outbox WHERE cloudevent->>'household' = $1", household_id
        )
    }
    reminder_events = {
        r["id"]: json.loads(r["cloudevent"])
        for r in await db.fetch(
            "SELECT id, cloudevent FROM reminder.outbox WHERE cloudevent->>'household' = $1",
            household_id,
        )
    }
    audited = await db.fetch(
        "SELECT event_id, event_type, subject FROM audit.audit_entry WHERE household_id = $1",
        household,
    )
    assert {r["event_id"] for r in audited} <= gateway_events | set(reminder_events)
    known_to_reminders = {
        str(r["id"])
        for r in await db.fetch(
            "SELECT id FROM reminder.subject WHERE kind = 'task' AND household_id = $1", household
        )
    }
    assert known_to_reminders <= tasks
    notified = await db.fetch(
        "SELECT event_id FROM notification.notification WHERE household_id = $1", household
    )
    assert {r["event_id"] for r in notified} <= gateway_events | set(reminder_events)

    # each task's one reminder fired once: one event, one audit entry, one notification
    fired_per_task: dict[str, int] = {}
    for event in reminder_events.values():
        fired_per_task[event["data"]["task_id"]] = (
            fired_per_task.get(event["data"]["task_id"], 0) + 1
        )
    assert fired_per_task == {task: 1 for task in due}
    triggered = [r for r in audited if r["event_type"] == "giftflow.reminder.triggered.v1"]
    assert sorted(r["subject"] for r in triggered) == sorted(due)
    reminded = await db.fetch(
        "SELECT entity_id, count(*) AS n FROM notification.notification WHERE household_id = $1 AND kind = 'reminder' "
        "GROUP BY entity_id",
        household,
    )
    assert {str(r["entity_id"]): r["n"] for r in reminded} == {task: 1 for task in due}


async def reminders_worth_firing(db, household_id: str) -> list[str]:
    """The tasks whose reminder was still ahead when they were made (`time` of their task.created)."""
    rows = await db.fetch(
        "SELECT partition_key FROM gateway.outbox WHERE cloudevent->>'household' = $1 "
        "AND event_type = 'giftflow.task.created.v1' "
        f"AND (cloudevent->'data'->>'due_at')::timestamptz - interval '{REMINDER_BEFORE}' >= (cloudevent->>'time')::timestamptz",
        household_id,
    )
    return [r["partition_key"] for r in rows]
