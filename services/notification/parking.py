"""Events that came before their household, parked until the household is known here.

Each topic keeps its own order, but there is none between topics: a claim can reach this service before
the household's creation and its members do (a sidecar coming up to a backlog, as on a cold start).
Dropped, nobody would ever hear of it; answered RETRY, it would hold up its partition for minutes, and
for good when its household never comes. So it is parked: stored here in the delivered batch's
transaction, next to its inbox row, and acknowledged. A crash either keeps both or neither, and a
redelivery finds the inbox row and does nothing, so an event is parked at most once.

When the household's creation or a member's joining is handled, the household's parked events are
taken (deleted, so two replicas never replay one twice) and handled in the order they arrived, each in
a savepoint of its own: one that fails for good is logged and left behind instead of taking the
household's creation with it. Parked events whose household has not come within the retention
(PARKED_RETENTION_DAYS, the Kafka topics' retention by default) never will: the retention job drops
them, with a log line saying how many.
"""

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import structlog
from sqlalchemy import delete, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from services.notification.models import parked_event
from shared.consumer import (
    Envelope,
    Handler,
    log_context,
    parse,
    stage_until_commit,
    write_staged,
)
from shared.failures import is_transient

log = structlog.get_logger()


def _write_parked(session: Session, rows: list[dict]) -> None:
    session.execute(insert(parked_event), rows)  # in arrival order: `position` numbers them so


async def park(session: AsyncSession, household_id: UUID, envelope: Envelope) -> None:
    """Keep the event until its household is known, written with the rest of the batch's parked events
    (see shared.consumer.stage_until_commit)."""
    ce = envelope.cloudevent
    row = {
        "household_id": household_id,
        "event_id": ce.id,
        "cloudevent": ce.model_dump(mode="json", exclude_none=True),
    }
    await stage_until_commit(session, _write_parked, [row])
    log.debug("event.parked", household_id=str(household_id))


async def replay(session: AsyncSession, household_id: UUID, handlers: Mapping[str, Handler]) -> int:
    """Handle the household's parked events, in arrival order, after what the batch has sent so far;
    how many were handled."""
    # what the batch parked so far is in the table, and the household's own news is numbered before
    # what waited for it
    await write_staged(session)
    taken = (
        await session.execute(
            delete(parked_event)
            .where(parked_event.c.household_id == household_id)
            .returning(parked_event.c.position, parked_event.c.cloudevent)
        )
    ).all()
    if not taken:
        return 0
    handled = 0
    for _, raw in sorted(taken, key=lambda row: row.position):
        _, envelope, reason = parse(raw, handlers)
        if envelope is None or envelope.event is None:
            log.warning("event.parked_unreadable", event_id=raw.get("id"), reason=reason)
            continue
        with log_context(envelope.cloudevent):
            try:
                async with session.begin_nested():
                    await handlers[envelope.cloudevent.type](session, envelope)
            except (OSError, OperationalError):
                raise
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.exception("event.parked_failed", reason=repr(exc))
                continue
            handled += 1
            log.info("event.unparked", household_id=str(household_id))
    return handled


async def drop_expired(conn: AsyncConnection, before: datetime) -> int:
    """Forget events parked before `before`: their household is not coming."""
    result = await conn.execute(delete(parked_event).where(parked_event.c.parked_at < before))
    if result.rowcount:
        log.warning(
            "event.parked_expired", events=result.rowcount, parked_before=before.isoformat()
        )
    return result.rowcount
