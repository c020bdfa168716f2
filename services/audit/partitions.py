"""Keeps monthly partitions of audit_entry created ahead of time, so an insert never lacks one."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger()


async def ensure_partitions(engine: AsyncEngine, months_ahead: int) -> list[str]:
    async with engine.begin() as conn:
        rows = await conn.execute(
            text(
                "SELECT ensure_audit_partition((now() + make_interval(months => m))::date) "
                "FROM generate_series(0, :ahead) AS m"
            ),
            {"ahead": months_ahead},
        )
        return [r[0] for r in rows]


@asynccontextmanager
async def keep_partitions_ahead(app: FastAPI) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            try:
                await ensure_partitions(app.state.engine, app.state.settings.audit_months_ahead)
            except Exception as exc:  # noqa: BLE001 - retried next hour; inserts fail loudly meanwhile
                log.warning("audit.partitions_failed", error=repr(exc))
            await asyncio.sleep(3600)

    task = asyncio.create_task(loop(), name="audit-partitions")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
