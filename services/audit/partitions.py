"""Monthly partitions of audit_entry: created ahead of time, so an insert never lacks one, and dropped
whole once all they hold is older than the retention (AUDIT_RETENTION_MONTHS).

Runs at start and then daily; replicas take turns under an advisory lock.
"""

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import structlog
from dateutil.relativedelta import relativedelta
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.worker import Every, running

log = structlog.get_logger()

PARTITION = re.compile(r"^audit_entry_(\d{4})_(\d{2})$")
LOCK = "SELECT pg_advisory_xact_lock(hashtext('audit.audit_entry partitions'))"


def month_of(partition: str) -> date | None:
    """The first day of the month a partition holds, from its name; None for another table."""
    match = PARTITION.match(partition)
    if not match:
        return None
    year, month = map(int, match.groups())
    return date(year, month, 1) if 1 <= month <= 12 else None


def expired_partitions(partitions: Iterable[str], today: date, retention_months: int) -> list[str]:
    """The partitions whose every row is older than `retention_months` before `today`."""
    cutoff = today - relativedelta(months=retention_months)
    expired = []
    for name in partitions:
        first = month_of(name)
        if first is not None and first + relativedelta(months=1) <= cutoff:
            expired.append(name)
    return sorted(expired)


async def list_partitions(conn: AsyncConnection) -> list[str]:
    rows = await conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit.audit_entry'::regclass ORDER BY c.relname"
        )
    )
    return [r[0] for r in rows]


async def ensure_partitions(
    engine: AsyncEngine, months_ahead: int, today: date | None = None
) -> list[str]:
    """This month's partition and the next `months_ahead`; their names."""
    async with engine.begin() as conn:
        await conn.execute(text(LOCK))
        return await _ensure(conn, months_ahead, today or datetime.now(UTC).date())


async def _ensure(conn: AsyncConnection, months_ahead: int, today: date) -> list[str]:
    rows = await conn.execute(
        text(
            "SELECT audit.ensure_audit_partition((CAST(:today AS date) + make_interval(months => m))::date) "
            "FROM generate_series(0, :ahead) AS m"
        ),
        {"today": today, "ahead": months_ahead},
    )
    return [r[0] for r in rows]


async def maintain_partitions(
    engine: AsyncEngine, months_ahead: int, retention_months: int, today: date | None = None
) -> tuple[list[str], list[str]]:
    """Create the coming partitions and drop the expired ones: (ensured, dropped)."""
    today = today or datetime.now(UTC).date()
    async with engine.begin() as conn:
        await conn.execute(text(LOCK))
        ensured = await _ensure(conn, months_ahead, today)
        dropped = expired_partitions(await list_partitions(conn), today, retention_months)
        for name in dropped:  # the names matched PARTITION, so quoting them is enough
            await conn.execute(text(f'DROP TABLE audit."{name}"'))
    return ensured, dropped


@asynccontextmanager
async def keep_partitions(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings

    async def once() -> None:
        ensured, dropped = await maintain_partitions(
            app.state.engine, settings.audit_months_ahead, settings.audit_retention_months
        )
        log.info("audit.partitions_maintained", ensured=ensured, dropped=dropped)

    async with running(Every("audit_partitions", once, settings.audit_maintenance_interval_s)):
        yield
