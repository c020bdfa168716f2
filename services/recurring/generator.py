"""The loop that turns time passing and recorded occurrences into requests to the gateway.

Each tick: tasks of from-due series whose due time has passed get their successor recorded; yearly
occasions whose day is over get their roll-over recorded; then every pending occurrence is sent to the
gateway through Dapr service invocation, keyed so that a retry (or a second replica) never makes two.
Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas share the work.
"""

from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.recurring.handlers import request_successor, roll_over
from services.recurring.models import occurrence, series, series_task, yearly_occasion
from shared.dapr import DaprClient
from shared.worker import BackgroundWorker

log = structlog.get_logger()

GATEWAY = "gateway"
# the gateway answered that this can never be made (its task or occasion is gone, or it refuses it)
FINAL_REFUSALS = {400, 404, 409, 410, 422}

# tasks of from-due series still waiting for their successor (joined with `series`)
OVERDUE = (
    series_task.c.recurs
    & series_task.c.successor_due_at.is_(None)
    & ~series_task.c.series_ended
    & (series_task.c.status == "open")
    & (series.c.mode == "from_due")
)


def method_for(row) -> str:
    if row.kind == "task":
        return f"api/internal/tasks/{row.source_id}/next-occurrence"
    return f"api/internal/occasions/{row.subject_id}/roll-over"


class OccurrenceGenerator(BackgroundWorker):
    name = "recurring"
    channel = "occurrence_pending"  # notified when an occurrence is recorded

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dapr: DaprClient,
        listen_dsn: str,
        batch_size: int = 50,
        max_sleep: float = 30.0,
    ) -> None:
        super().__init__(listen_dsn)
        self.sessions = sessions
        self.dapr = dapr
        self.batch_size = batch_size
        self.max_sleep = max_sleep

    async def run_once(self) -> bool:
        return await self.tick() > 0

    async def idle_delay(self) -> float:
        return await self.seconds_to_next()

    # what time passing makes due ---------------------------------------------------------------
    async def record_overdue(self) -> int:
        """Successors of from-due tasks whose due time has passed, done or not."""
        async with self.sessions() as session, session.begin():
            ids = (
                await session.scalars(
                    select(series_task.c.task_id)
                    .join(series, series.c.id == series_task.c.series_id)
                    .where(OVERDUE, series_task.c.due_at <= func.clock_timestamp())
                    .limit(self.batch_size)
                    .with_for_update(of=series_task, skip_locked=True)
                )
            ).all()
            for task_id in ids:
                await request_successor(session, task_id, None)
        return len(ids)

    async def record_rollovers(self) -> int:
        async with self.sessions() as session, session.begin():
            ids = (
                await session.scalars(
                    select(yearly_occasion.c.occasion_id)
                    .where(yearly_occasion.c.rolls_at <= func.clock_timestamp())
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for occasion_id in ids:
                await roll_over(session, occasion_id)
        return len(ids)

    # asking the gateway -----------------------------------------------------------------------
    async def send_pending(self) -> int:
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(occurrence)
                    .where(
                        occurrence.c.status == "pending",
                        occurrence.c.next_attempt_at <= func.clock_timestamp(),
                    )
                    .order_by(occurrence.c.next_attempt_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await self._send(session, row)
        return len(rows)

    async def _send(self, session: AsyncSession, row) -> None:
        done = update(occurrence).where(occurrence.c.id == row.id)
        try:
            response = await self.dapr.invoke(GATEWAY, method_for(row), json=row.payload)
        except Exception as exc:  # the sidecar or the gateway is away: try again later
            response, error = None, repr(exc)
        else:
            error = f"{response.status_code} {response.text[:300]}"
        if response is not None and response.status_code < 300:
            body = response.json() if response.content else {}
            await session.execute(
                done.values(
                    status="done",
                    done_at=func.now(),
                    attempts=row.attempts + 1,
                    result_id=body.get("id"),
                    last_error=None,
                )
            )
            log.info(
                "occurrence.generated",
                kind=row.kind,
                subject_id=str(row.subject_id),
                occurrence=row.occurrence,
            )
        elif response is not None and response.status_code in FINAL_REFUSALS:
            await session.execute(
                done.values(
                    status="abandoned",
                    done_at=func.now(),
                    attempts=row.attempts + 1,
                    last_error=error,
                )
            )
            log.warning(
                "occurrence.refused", kind=row.kind, subject_id=str(row.subject_id), error=error
            )
        else:
            backoff = timedelta(seconds=min(2**row.attempts, 300))
            await session.execute(
                done.values(
                    attempts=row.attempts + 1,
                    last_error=error,
                    next_attempt_at=datetime.now(UTC) + backoff,
                )
            )
            log.warning(
                "occurrence.retry_later", kind=row.kind, subject_id=str(row.subject_id), error=error
            )

    async def seconds_to_next(self) -> float:
        async with self.sessions() as session:
            candidates = [
                select(func.min(series_task.c.due_at))
                .join(series, series.c.id == series_task.c.series_id)
                .where(OVERDUE),
                select(func.min(yearly_occasion.c.rolls_at)),
                select(func.min(occurrence.c.next_attempt_at)).where(
                    occurrence.c.status == "pending"
                ),
            ]
            times = [t for t in [await session.scalar(c) for c in candidates] if t is not None]
        if not times:
            return self.max_sleep
        seconds = (min(times) - datetime.now(UTC)).total_seconds()
        return min(max(seconds, 0.05), self.max_sleep)

    async def tick(self) -> int:
        return (
            await self.record_overdue() + await self.record_rollovers() + await self.send_pending()
        )
