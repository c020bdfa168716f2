"""The gateway reads' anchor: a minimal FastAPI + asyncpg endpoint answering one indexed query of 12
rows, served as the gateway is (uvicorn's settings, its worker count) and driven by the same wrk, script,
threads, connections and durations as gateway_read (bench/gateway.py)."""

import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

from bench import gateway
from bench.anchored import FASTAPI_ASYNCPG
from bench.anchors import processes
from bench.common import load_average, write_result
from scripts.stack.processes import WORKERS, Stack

GROUPS = 2_000  # groups of 12 items in the table; the requests ask for 27 of them, as the read mix has 27
ITEMS_PER_GROUP = 12
REQUESTS = 27
APP_INDEX = 5

SCHEMA = """
DROP SCHEMA IF EXISTS anchor CASCADE;
CREATE SCHEMA anchor;
CREATE TABLE anchor.item (
    id uuid PRIMARY KEY,
    group_id uuid NOT NULL,
    title text NOT NULL,
    price numeric(10, 2) NOT NULL,
    currency text NOT NULL,
    created_at timestamptz NOT NULL
);
"""


async def _table(dsn: str) -> list[uuid.UUID]:
    """The anchor's table, filled and indexed; the groups the requests ask for."""
    groups = [uuid.uuid4() for _ in range(GROUPS)]
    now = datetime.now(UTC)
    rows = [
        (uuid.uuid4(), g, f"Gift {i}", Decimal("12.50"), "GBP", now - timedelta(minutes=i))
        for g in groups
        for i in range(ITEMS_PER_GROUP)
    ]
    db = await asyncpg.connect(dsn)
    try:
        await db.execute(SCHEMA)
        await db.copy_records_to_table(
            "item",
            schema_name="anchor",
            records=rows,
            columns=["id", "group_id", "title", "price", "currency", "created_at"],
        )
        await db.execute(
            "CREATE INDEX ON anchor.item (group_id, created_at DESC); ANALYZE anchor.item"
        )
    finally:
        await db.close()
    return groups[:: GROUPS // REQUESTS][:REQUESTS]


async def fastapi_asyncpg(stack: Stack) -> Path:
    gateway.ensure_wrk()
    dsn = stack.t.database_dsn()
    groups = await _table(dsn)
    lines = [("GET", f"/groups/{g}/items", "anchor", "") for g in groups]
    try:
        port = processes.start_app(
            stack,
            "read",
            "bench.anchors.read_app:app",
            APP_INDEX,
            env={"ANCHOR_DATABASE_URL": dsn},
        )
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for _, path, _, _ in lines:  # each once: a wrong answer fails here, with the reason
                answer = await client.get(path)
                if answer.status_code != 200 or len(answer.json()["items"]) != ITEMS_PER_GROUP:
                    raise RuntimeError(
                        f"anchor read app answered {answer.status_code}: {answer.text[:300]}"
                    )
        gateway.run_wrk(url, lines, gateway.WARMUP_S)
        app, postgres = stack.pid_of("anchor-app-read"), stack.pid_of("postgres")
        load_before, t0 = load_average(), time.monotonic()
        cpu_before = gateway.cpu_seconds(app), gateway.cpu_seconds(postgres)
        run = gateway.run_wrk(url, lines, gateway.DURATION_S)
        cpu_app, cpu_postgres = (
            gateway.cpu_seconds(p) - before
            for p, before in zip((app, postgres), cpu_before, strict=True)
        )
    finally:
        processes.stop_all(stack)
    return write_result(
        FASTAPI_ASYNCPG,
        {
            "rps": run.rps,
            "p50_ms": run.latency_ms[50],
            "p90_ms": run.latency_ms[90],
            "p99_ms": run.latency_ms[99],
            "requests": run.requests,
            "non_2xx": run.non_2xx,
            "socket_errors": run.socket_errors,
            "app_cpu_ms_per_request": cpu_app * 1000 / max(run.requests, 1),
            "postgres_cpu_ms_per_request": cpu_postgres * 1000 / max(run.requests, 1),
            "connections": gateway.CONNECTIONS,
            "workers": WORKERS.get("gateway", 1),
            "seconds": round(time.monotonic() - t0),
            "load_avg_1m_before": load_before,
            "load_avg_1m_after": load_average(),
        },
        notes=f"FastAPI + an asyncpg pool, one indexed query returning {ITEMS_PER_GROUP} rows as JSON, under "
        "uvicorn with the gateway's settings and workers; wrk as gateway_read: "
        f"{gateway.THREADS} threads, {gateway.CONNECTIONS} connections, {gateway.DURATION_S}s after a "
        f"{gateway.WARMUP_S}s warm-up, round robin over {len(lines)} groups"
        + ("; INVALID: some requests failed" if run.failed else ""),
    )
