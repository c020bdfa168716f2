"""Reminders and recurrence: how late reminders fire with two replicas, and how long a completed
recurring task takes to get its next one.

Reminder rows are written straight into the reminder service's schedule as its own role (the same
table and wake-up trigger its event handlers write), so the figures are the schedulers' own: the wait
for the nearest reminder, the claim with FOR UPDATE SKIP LOCKED, and the transaction that marks rows
fired and stages their events.
"""

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.common import percentile, write_result
from scripts.stack.processes import Stack

REPLICA = "app-reminder-2"

INSERT = """
INSERT INTO reminder.reminder (id, household_id, subject_kind, subject_id, title, "offset", due_at, remind_at)
VALUES ($1, $2, 'task', $3, 'Bench', 'PT1M', $4, $5)
"""


async def _wait(check, patience: float, what: str) -> None:
    deadline = time.monotonic() + patience
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not within {patience:.0f}s: {what}")
        await asyncio.sleep(0.5)


async def reminder_lateness(stack: Stack, reminders: int = 1000, lead_s: float = 15.0) -> dict:
    """`reminders` due at random moments of one minute, fired by two replicas."""
    stack.start_app(
        "reminder",
        name=REPLICA,
        port=stack.t.base_port + 60,
        extra_env={"DAPR_HTTP_ENDPOINT": stack.t.dapr_url("reminder")},
    )
    reminder_db = await asyncpg.connect(
        stack.t.service_database_url("reminder").replace("+asyncpg", "")
    )
    try:
        minute = datetime.now(UTC) + timedelta(seconds=lead_s)
        household_id = uuid.uuid4()
        rows = []
        for _ in range(reminders):
            at = minute + timedelta(seconds=random.uniform(0, 60))
            rows.append((uuid.uuid4(), household_id, uuid.uuid4(), at + timedelta(minutes=1), at))
        async with reminder_db.transaction():
            await reminder_db.executemany(INSERT, rows)
        ids = [r[0] for r in rows]

        async def all_fired() -> bool:
            return await reminder_db.fetchval(
                "SELECT count(*) FROM reminder.reminder WHERE id = ANY($1) AND fired_at IS NOT NULL",
                ids,
            ) == len(ids)

        await _wait(all_fired, lead_s + 60 + 120, "every reminder fired")
        await asyncio.sleep(2)
        fired = await reminder_db.fetch(
            "SELECT extract(epoch FROM fired_at - remind_at) * 1000 AS late_ms FROM reminder.reminder WHERE id = ANY($1)",
            ids,
        )
        staged = await reminder_db.fetch(
            "SELECT cloudevent->'data'->>'reminder_id' AS reminder_id, count(*) AS n FROM reminder.outbox "
            "WHERE partition_key = ANY($1::text[]) GROUP BY 1",
            [str(r[2]) for r in rows],
        )

        async def all_published() -> bool:
            return (
                await reminder_db.fetchval(
                    "SELECT count(*) FROM reminder.outbox WHERE partition_key = ANY($1::text[]) AND published_at IS NULL",
                    [str(r[2]) for r in rows],
                )
                == 0
            )

        await _wait(all_published, 120, "every reminder.triggered published")
        published = await reminder_db.fetch(
            "SELECT extract(epoch FROM o.published_at - r.remind_at) * 1000 AS ms FROM reminder.outbox o "
            "JOIN reminder.reminder r ON r.id = (o.cloudevent->'data'->>'reminder_id')::uuid WHERE r.id = ANY($1)",
            ids,
        )
    finally:
        await reminder_db.close()
        stack.stop(REPLICA)
    late = [float(r["late_ms"]) for r in fired]
    duplicates = sum(r["n"] - 1 for r in staged) + (len(ids) - len(staged))
    return write_result(
        "reminder_lateness",
        {
            "reminders": reminders,
            "replicas": 2,
            "reminder_lateness_p50_ms": percentile(late, 50),
            "reminder_lateness_p99_ms": percentile(late, 99),
            "reminder_lateness_max_ms": max(late),
            "reminder_duplicates": duplicates,
            "reminder_published_p99_ms": percentile([float(r["ms"]) for r in published], 99),
        },
        notes="reminders due at random moments of one minute, two reminder replicas sharing one schedule; "
        "lateness = fired_at - remind_at; duplicates = reminders with other than exactly one "
        "reminder.triggered staged; published = when the relay handed it to Dapr, after remind_at",
    )


async def next_occurrence(stack: Stack, tasks: int = 100, interval_s: float = 0.1) -> dict:
    """Complete daily tasks one after another; time from each completion to its next task's creation."""
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as gateway:
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        signed_up = await gateway.post(
            "/api/auth/signup",
            json={
                "email": email,
                "password": "correct horse battery staple",
                "display_name": "Bench",
            },
        )
        signed_up.raise_for_status()
        headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
        gateway.cookies.clear()
        household = await gateway.post("/api/households", json={"name": "Bench"}, headers=headers)
        household.raise_for_status()
        base = f"/api/households/{household.json()['id']}/tasks"
        due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        ids = []
        for i in range(tasks):
            created = await gateway.post(
                base,
                json={"title": f"Daily {i}", "due_at": due, "rrule": "FREQ=DAILY"},
                headers=headers,
            )
            created.raise_for_status()
            ids.append(uuid.UUID(created.json()["id"]))
        for task_id in ids:
            (await gateway.post(f"{base}/{task_id}/complete", headers=headers)).raise_for_status()
            await asyncio.sleep(interval_s)
    db = await asyncpg.connect(stack.t.database_dsn())
    try:

        async def all_made() -> bool:
            return await db.fetchval(
                "SELECT count(*) FROM gateway.task WHERE previous_task_id = ANY($1)", ids
            ) == len(ids)

        await _wait(all_made, 180, "every next task made")
        rows = await db.fetch(
            "SELECT extract(epoch FROM n.created_at - p.completed_at) * 1000 AS ms FROM gateway.task n "
            "JOIN gateway.task p ON p.id = n.previous_task_id WHERE p.id = ANY($1)",
            ids,
        )
        made = await db.fetchval("SELECT count(*) FROM gateway.task WHERE series_id = ANY($1)", ids)
    finally:
        await db.close()
    latency = [float(r["ms"]) for r in rows]
    return write_result(
        "next_occurrence",
        {
            "completions": tasks,
            "next_occurrence_p50_ms": percentile(latency, 50),
            "next_occurrence_p99_ms": percentile(latency, 99),
            "tasks_per_series": made / len(ids),
        },
        notes=f"daily tasks completed {interval_s * 1000:.0f} ms apart; latency = the next task's creation - the "
        "completion commit: outbox relay, Kafka, the recurring processor, Dapr service invocation, the gateway",
    )
