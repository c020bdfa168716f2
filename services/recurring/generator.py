"""The loop that turns time passing and recorded occurrences into requests to the gateway.

Each tick: tasks of from-due series whose due time has passed get their successor recorded; yearly
occasions whose day is over get their roll-over recorded; then every pending occurrence is sent to the
gateway through Dapr service invocation, keyed so that a retry (or a second replica) never makes two.
Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas share the work.

No transaction stays open across a call to the gateway. An occurrence to send is first leased
(`leased_until`, committed at once), then asked for, then its answer recorded in a second short
transaction, only if the lease on the row is still this sender's. A sender that dies or stalls past its
lease loses the occurrence to the next one that claims it; the gateway answers a repeated request
with what the first one made (keyed by series and due time, or by occasion and date), so a request
sent twice still makes one task.
"""

from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, or_, select, update
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
        lease_s: float = 60.0,
    ) -> None:
        super().__init__(listen_dsn)
        self.sessions = sessions
        self.dapr = dapr
        self.batch_size = batch_size
        self.max_sleep = max_sleep
        self.lease = timedelta(seconds=lease_s)

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
        sent = 0
        while sent < self.batch_size and (row := await self.claim()) is not None:
            await self._send(row)
            sent += 1
        return sent

    async def claim(self):
        """Lease the occurrence due first that nobody holds (or whose holder's lease ran out), in a
        transaction of its own; None when there is none."""
        due = (
            select(occurrence.c.id)
            .where(
                occurrence.c.status == "pending",
                occurrence.c.next_attempt_at <= func.clock_timestamp(),
                or_(
                    occurrence.c.leased_until.is_(None),
                    occurrence.c.leased_until <= func.clock_timestamp(),
                ),
            )
            .order_by(occurrence.c.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        async with self.sessions() as session, session.begin():
            return (
                await session.execute(
                    update(occurrence)
                    .where(occurrence.c.id == due)
                    .values(leased_until=func.clock_timestamp() + self.lease)
                    .returning(*occurrence.c)
                )
            ).first()

    async def _send(self, row) -> None:
        try:
            response = await self.dapr.invoke(GATEWAY, method_for(row), json=row.payload)
        except Exception as exc:  # the sidecar or the gateway is away: try again later
            response, error = None, repr(exc)
        else:
            error = f"{response.status_code} {response.text[:300]}"
        if response is not None and response.status_code < 300:
            body = response.json() if response.content else {}
            outcome, values = (
                "occurrence.generated",
                dict(status="done", done_at=func.now(), result_id=body.get("id"), last_error=None),
            )
        elif response is not None and response.status_code in FINAL_REFUSALS:
            outcome, values = (
                "occurrence.refused",
                dict(status="abandoned", done_at=func.now(), last_error=error),
            )
        else:
            backoff = timedelta(seconds=min(2**row.attempts, 300))
            outcome, values = (
                "occurrence.retry_later",
                dict(last_error=error, next_attempt_at=datetime.now(UTC) + backoff),
            )
        async with self.sessions() as session, session.begin():
            recorded = await session.execute(
                update(occurrence)
                .where(occurrence.c.id == row.id, occurrence.c.leased_until == row.leased_until)
                .values(leased_until=None, attempts=row.attempts + 1, **values)
            )
        context = dict(kind=row.kind, subject_id=str(row.subject_id), occurrence=row.occurrence)
        if recorded.rowcount == 0:
            # this sender took longer than its lease and another claimed the occurrence: the answer
            # that one records stands (a repeated request makes nothing new)
            log.warning("occurrence.lease_lost", **context)
        elif outcome == "occurrence.generated":
            log.info(outcome, **context)
        else:
            log.warning(outcome, **context, error=error)

    async def seconds_to_next(self) -> float:
        async with self.sessions() as session:
            candidates = [
                select(func.min(series_task.c.due_at))
                .join(series, series.c.id == series_task.c.series_id)
                .where(OVERDUE),
                select(func.min(yearly_occasion.c.rolls_at)),
                # greatest() passes over a NULL: an occurrence nobody holds is due at next_attempt_at
                select(
                    func.min(func.greatest(occurrence.c.next_attempt_at, occurrence.c.leased_until))
                ).where(occurrence.c.status == "pending"),
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
