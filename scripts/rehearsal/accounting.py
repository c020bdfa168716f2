"""Nothing lost: every event the gateway committed during the rehearsal, looked up in every consumer's inbox.

The gateway's outbox holds what an acknowledged write published (written in the write's transaction);
each consumer's `processed_event` holds what it handled (written in the handling's transaction). An
event in the first and missing from the second, once the pipeline has drained, was lost; the time
between its commit and its handling is its delay.
"""

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from scripts.rehearsal.next_build import NEW_TYPE, OLD_TYPE
from scripts.stack.topology import CONSUMERS

# what the rehearsal's writes publish: task.created, which every consumer handles
TYPES = (OLD_TYPE, NEW_TYPE)


@dataclass(frozen=True)
class Account:
    published: dict[str, int]  # event type -> events committed by the gateway during the rehearsal
    handled: dict[
        str, dict[str, int]
    ]  # consumer -> event type -> events of the rehearsal it handled
    lost: int  # (event, consumer) pairs never handled
    delayed_max_s: float  # the longest commit -> handled, over every consumer
    unpublished: int  # outbox rows still waiting for the relay


async def account(dsn: str, since: datetime) -> Account:
    conn = await asyncpg.connect(dsn)
    try:
        published = dict(
            await conn.fetch(
                "SELECT event_type, count(*) FROM gateway.outbox"
                " WHERE created_at >= $1 AND event_type = ANY($2) GROUP BY event_type",
                since,
                list(TYPES),
            )
        )
        unpublished = await conn.fetchval(
            "SELECT count(*) FROM gateway.outbox WHERE published_at IS NULL"
        )
        handled, lost, delayed = {}, 0, 0.0
        for consumer in CONSUMERS:
            rows = await conn.fetch(
                f"""SELECT o.event_type, count(p.event_id) AS handled,
                           count(*) - count(p.event_id) AS missing,
                           coalesce(max(extract(epoch FROM p.processed_at - o.created_at)), 0)
                               AS delayed_s
                    FROM gateway.outbox o
                    LEFT JOIN {consumer}.processed_event p ON p.event_id = o.id
                    WHERE o.created_at >= $1 AND o.event_type = ANY($2)
                    GROUP BY o.event_type""",
                since,
                list(TYPES),
            )
            handled[consumer] = {r["event_type"]: r["handled"] for r in rows}
            lost += sum(r["missing"] for r in rows)
            delayed = max([delayed, *(float(r["delayed_s"]) for r in rows)])
        return Account(published, handled, lost, delayed, unpublished)
    finally:
        await conn.close()


async def drained(dsn: str, since: datetime, within_s: float) -> Account:
    """The account once nothing is missing any more, or as it stands after `within_s` seconds."""
    deadline = time.monotonic() + within_s
    while True:
        result = await account(dsn, since)
        if (result.lost == 0 and result.unpublished == 0) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.5)


async def handled_by_all(dsn: str, event_id: str) -> bool:
    """Whether every consumer has handled one event (the rehearsal's probe)."""
    conn = await asyncpg.connect(dsn)
    try:
        for consumer in CONSUMERS:
            found = await conn.fetchval(
                f"SELECT 1 FROM {consumer}.processed_event WHERE event_id = $1", event_id
            )
            if not found:
                return False
        return True
    finally:
        await conn.close()


async def writes_without_event(dsn: str, task_ids: list[str]) -> int:
    """Acknowledged task writes whose task.created (of either version) is not in the outbox."""
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM unnest($1::text[]) AS acknowledged(task_id)"
            " WHERE NOT EXISTS (SELECT 1 FROM gateway.outbox o"
            "  WHERE o.partition_key = acknowledged.task_id AND o.event_type = ANY($2))",
            task_ids,
            list(TYPES),
        )
    finally:
        await conn.close()
