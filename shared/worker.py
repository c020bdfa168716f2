"""The shape every background loop in giftflow shares: do a round of work, then sleep until woken.

A worker is woken early by Postgres LISTEN/NOTIFY on its channel (the rows it works on are written by
another transaction, maybe on another replica) and otherwise polls, so a lost LISTEN connection only
costs latency, never work. A round that fails is logged and retried with a doubling delay, so a
database or sidecar outage is ridden out without a crash and without a busy loop.

A subclass says what one round does (`run_once`) and, if it knows better than a fixed interval, how
long to sleep after it (`idle_delay`).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import asyncpg
import structlog
from sqlalchemy import ColumnElement, TableClause, delete, select, tuple_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger()


class BackgroundWorker:
    name: str  # names its asyncio tasks and its log events
    # the NOTIFY channel that wakes it; None for a worker that only polls
    channel: ClassVar[str | None] = None
    # what a database or network outage raises: logged as a warning and retried, not as a crash
    transient_errors: ClassVar[tuple[type[Exception], ...]] = (
        OSError,
        asyncpg.PostgresError,
        SQLAlchemyError,
    )
    first_retry_s: ClassVar[float] = 0.5
    max_retry_s: ClassVar[float] = 5.0

    def __init__(self, listen_dsn: str | None = None, poll_interval: float = 1.0) -> None:
        self.listen_dsn = listen_dsn
        self.poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def run_once(self) -> bool:
        """One round of work; True when it probably left more to do, so the next round starts at once."""
        raise NotImplementedError

    async def idle_delay(self) -> float:
        """How long to sleep after a round that left nothing to do; a NOTIFY cuts it short."""
        return self.poll_interval

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name=f"{self.name}-run")]
        if self.channel is not None and self.listen_dsn is not None:
            self._tasks.append(
                asyncio.create_task(
                    self._listen(self.channel, self.listen_dsn), name=f"{self.name}-listen"
                )
            )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _run(self) -> None:
        retry = self.first_retry_s
        while True:
            self._wake.clear()  # before looking, so a wake-up that comes while we look is not lost
            try:
                more = await self.run_once()
                retry = self.first_retry_s
                if more:
                    continue
                delay = await self.idle_delay()
            except self.transient_errors as exc:
                log.warning(f"{self.name}.run_failed", error=repr(exc))
                delay, retry = retry, min(retry * 2, self.max_retry_s)
            except Exception:
                log.exception(f"{self.name}.run_crashed")
                delay, retry = retry, min(retry * 2, self.max_retry_s)
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _listen(self, channel: str, dsn: str) -> None:
        """Keep a LISTEN connection open; reconnect when Postgres goes away (polling covers the gap)."""
        while True:
            try:
                conn = await asyncpg.connect(dsn)
                try:
                    await conn.add_listener(channel, lambda *_: self._wake.set())
                    self._wake.set()  # catch up on whatever was written before we listened
                    # asyncpg has no "closed" event to await
                    while not conn.is_closed():  # noqa: ASYNC110
                        await asyncio.sleep(5)
                finally:
                    await conn.close()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning(f"{self.name}.listen_failed", error=repr(exc))
            await asyncio.sleep(1)


class Every(BackgroundWorker):
    """Housekeeping on an interval (retention, partitions): at start, then every `interval_s`; a failed
    round is retried sooner, with the same doubling delay as any worker."""

    def __init__(self, name: str, job: Callable[[], Awaitable[object]], interval_s: float) -> None:
        super().__init__(poll_interval=interval_s)
        self.name = name
        self.job = job

    async def run_once(self) -> bool:
        await self.job()
        return False


class Retention(BackgroundWorker):
    """Forgets what is older than a retention: `prune(before, limit)` deletes up to `limit` rows of each
    kind it keeps (in a transaction of its own) and says how many went; rounds follow each other while
    a batch comes back full, then it sleeps for the interval."""

    def __init__(
        self,
        name: str,
        prune: Callable[[datetime, int], Awaitable[dict[str, int]]],
        retention: timedelta,
        interval_s: float,
        batch_size: int = 1000,
    ) -> None:
        super().__init__(poll_interval=interval_s)
        self.name = name
        self.prune = prune
        self.retention = retention
        self.batch_size = batch_size

    async def run_once(self) -> bool:
        pruned = await self.prune(datetime.now(UTC) - self.retention, self.batch_size)
        if any(pruned.values()):
            log.info(f"{self.name}.pruned", **pruned)
        return (
            max(pruned.values(), default=0) >= self.batch_size
        )  # a full batch: there are probably more


@dataclass(frozen=True)
class Stale:
    """One kind of row a retention forgets: the rows of `table` for which `older(before)` holds, picked
    out by `key` (the columns of its primary key)."""

    table: TableClause | type[Any]  # a Core table or a mapped model
    key: tuple[Any, ...]  # columns or mapped attributes
    older: Callable[[datetime], ColumnElement[bool]]


async def prune_stale(
    engine: AsyncEngine, kinds: Mapping[str, Stale], before: datetime, limit: int
) -> dict[str, int]:
    """Delete up to `limit` stale rows of each kind, in one transaction; how many of each went. Rows
    another worker or replica is deleting are skipped (SKIP LOCKED), not waited for."""
    pruned = {}
    async with engine.begin() as conn:
        for name, kind in kinds.items():
            doomed = (
                select(*kind.key)
                .where(kind.older(before))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            key = kind.key[0] if len(kind.key) == 1 else tuple_(*kind.key)
            gone = await conn.execute(delete(kind.table).where(key.in_(doomed)))
            pruned[name] = gone.rowcount
    return pruned


def stale_rows_retention(
    name: str,
    engine: AsyncEngine,
    kinds: Mapping[str, Stale],
    retention: timedelta,
    interval_s: float,
    batch_size: int = 1000,
) -> Retention:
    """A Retention that forgets `kinds` once older than `retention` (each kind's `older` reads the
    cut-off it is given; a kind with a window of its own measures it from `before` with retention 0)."""
    return Retention(
        name,
        lambda before, limit: prune_stale(engine, kinds, before, limit),
        retention,
        interval_s,
        batch_size,
    )


@asynccontextmanager
async def running(*workers: BackgroundWorker) -> AsyncIterator[None]:
    """Run the workers for as long as the block lasts (an app's lifespan); stopped in reverse order."""
    started: list[BackgroundWorker] = []
    try:
        for worker in workers:
            await worker.start()
            started.append(worker)
        yield
    finally:
        for worker in reversed(started):
            await worker.stop()
