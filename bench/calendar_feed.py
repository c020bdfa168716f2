"""A calendar app polling a member's feed: 50 occasions and 200 of the member's tasks (a third of them
repeating, most with reminders), read with the secret address alone, one request at a time, as a
calendar app polls. Measured: the full read (the feed built), the poll of an unchanged feed (304 with
If-None-Match, the common case), and the feed's size."""

import random
import time
from datetime import UTC, date, datetime, timedelta

import httpx

from bench.common import new_household, percentile, write_result
from scripts.stack.processes import Stack

OCCASIONS = 50
TASKS = 200
READS = 200
RULES = (None, None, "FREQ=WEEKLY;BYDAY=SA", "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12", "FREQ=DAILY")
REMINDERS: tuple[list[str], ...] = ([], ["P1D"], ["PT2H", "P1D"], ["P7D"])


async def calendar_feed(stack: Stack) -> dict:
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=60) as client:
        headers, hh = await _household(client)
        me = (await client.get("/api/me", headers=headers)).json()["id"]
        for n in range(OCCASIONS):
            day = date(1940, 1, 1) + timedelta(days=rng.randrange(30_000))
            body = {"name": f"Occasion {n}", "date": day.isoformat(), "recurs_yearly": n % 3 != 0}
            (await client.post(f"{hh}/occasions", json=body, headers=headers)).raise_for_status()
        start = datetime.now(UTC).replace(microsecond=0, second=0)
        for n in range(TASKS):
            due = start + timedelta(hours=rng.randrange(24 * 365))
            rule = rng.choice(RULES)
            body = {
                "title": f"Chore {n}",
                "assignee_id": me,
                "due_at": due.isoformat(),
                "reminders": rng.choice(REMINDERS),
                **({"rrule": rule} if rule else {}),
            }
            made = await client.post(f"{hh}/tasks", json=body, headers=headers)
            made.raise_for_status()
        feed = (
            await client.post(f"{hh}/calendar-feeds", json={"name": "bench"}, headers=headers)
        ).json()

        full, unchanged, size, etag = [], [], 0, ""
        for _ in range(READS):
            t0 = time.perf_counter()
            answer = await client.get(feed["url"])
            full.append((time.perf_counter() - t0) * 1000)
            answer.raise_for_status()
            size, etag = len(answer.content), answer.headers["etag"]
        for _ in range(READS):
            t0 = time.perf_counter()
            answer = await client.get(feed["url"], headers={"If-None-Match": etag})
            unchanged.append((time.perf_counter() - t0) * 1000)
            assert answer.status_code == 304, answer.status_code

    metrics = {
        "occasions": OCCASIONS,
        "tasks": TASKS,
        "reads": READS,
        "calendar_feed_p50_ms": percentile(full, 50),
        "calendar_feed_p99_ms": percentile(full, 99),
        "calendar_feed_kb": size / 1024,
        "calendar_feed_unchanged_p50_ms": percentile(unchanged, 50),
        "calendar_feed_unchanged_p99_ms": percentile(unchanged, 99),
    }
    write_result(
        "calendar_feed",
        metrics,
        "one calendar app polling, one request at a time: the feed built (200), then unchanged (304)",
    )
    return metrics


async def _household(client: httpx.AsyncClient) -> tuple[dict, str]:
    headers, hh = await new_household(client, "Calendar bench")
    await client.patch(hh, json={"timezone": "Europe/Berlin"}, headers=headers)
    return headers, hh
