"""Consuming events delivered by Dapr bulk subscribe: one transaction a batch, a status an entry.

A handler is a plain async function `(session, envelope) -> None` routed by event type, or a
`Together` handler that takes a run of consecutive events at once (one statement for the run, not one
an event). A batch is applied in one transaction with its inbox rows, in delivery order; when one
entry fails, the batch is redone entry by entry, each in its own savepoint, so that entry alone is
retried or dead-lettered, and a redelivered event is acknowledged with no effect.
"""

import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

import structlog
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Table
from sqlalchemy import event as orm_event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from shared.dapr import SidecarOnly
from shared.db import database_unavailable
from shared.events import EVENT_TYPES, Event, split_type
from shared.failures import is_transient
from shared.inbox import record_many, record_once
from shared.logging import trace_id_of
from shared.metrics import EVENTS_CONSUMED, HANDLER_LATENCY
from shared.validation import Moment

log = structlog.get_logger()


class Outcome(StrEnum):
    SUCCESS = "SUCCESS"
    RETRY = "RETRY"  # transient: try again later
    DROP = "DROP"  # poison: Dapr sends it to the dead-letter topic


class CloudEvent(BaseModel):
    """The envelope fields a consumer relies on; anything else is ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: UUID
    type: str
    source: str
    subject: str | None = None
    time: Moment | None = None  # when the change was made: reminders count from it
    household: UUID | None = None
    traceparent: str | None = None  # Dapr's span of the delivery
    origintraceparent: str | None = None  # the request that caused the event (see shared.outbox)
    # grows along one aggregate's events in commit order (see shared.outbox); None from older relays
    aggregateversion: int | None = None
    data: dict[str, Any]


@dataclass(frozen=True)
class Envelope:
    """A delivered event: its CloudEvent metadata and its parsed contract."""

    cloudevent: CloudEvent
    event: Event | None  # None only for a catch-all handler given a type without a known contract


EachHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Together:
    """A handler of several events at once: consecutive events of a batch routed to the same
    `Together` are handed over as one run, in delivery order, so that it can apply them with one
    statement. It must have the effect of handling them one by one, in that order (a later event about
    the same row wins). Entry by entry, it is handed runs of one. Used as a decorator:

        @Together
        async def note_households(session: AsyncSession, envelopes: list[Envelope]) -> None: ...
    """

    handle: Callable[[AsyncSession, list[Envelope]], Awaitable[None]]

    @property
    def __name__(self) -> str:  # named like the function it wraps (`@Together` on a function)
        return self.handle.__name__

    async def __call__(self, session: AsyncSession, envelope: Envelope) -> None:
        await self.handle(session, [envelope])


Handler = EachHandler | Together


class PoisonEvent(Exception):
    """Raised by a handler for an event that can never be handled: it is dead-lettered."""


class _EntryFailed(Exception):
    """A handler failed inside a batch's shared transaction."""


# writes a list of staged items with the session's connection; synchronous, since it runs inside the commit
Writer = Callable[[Session, list], None]
_STAGED = "shared.consumer.staged"  # in Session.info: {writer: items staged for it, in order}


async def stage_until_commit(session: AsyncSession, write: Writer, items: Iterable[Any]) -> None:
    """Hand `items` to `write` just before the session's transaction commits, together with what the
    batch's other events staged for it, so a delivered batch costs one write, not one per event.

    A rollback forgets them. Inside a savepoint (the consumer's entry-by-entry path) they are written at
    once instead, so that the savepoint's rollback takes them too.
    """
    items = list(items)
    if not items:
        return
    if session.in_nested_transaction():
        await session.run_sync(write, items)
        return
    sync_session = session.sync_session
    if not orm_event.contains(sync_session, "before_commit", _write_staged):
        orm_event.listen(sync_session, "before_commit", _write_staged)
        orm_event.listen(sync_session, "after_transaction_end", _forget_staged)
    sync_session.info.setdefault(_STAGED, {}).setdefault(write, []).extend(items)


async def write_staged(session: AsyncSession) -> None:
    """Write what is staged now, before a change it must come before."""
    await session.run_sync(_write_staged)


def _write_staged(session: Session) -> None:
    for write, items in session.info.pop(_STAGED, {}).items():
        write(session, items)


def _forget_staged(session: Session, transaction) -> None:
    if transaction.parent is None:  # the session's transaction is over: what it staged goes with it
        session.info.pop(_STAGED, None)


def parse(
    raw: Any, handlers: Mapping[str, Handler], catch_all: bool = False
) -> tuple[Outcome, Envelope | None, str]:
    """Validate one delivered event. SUCCESS with no envelope means: not for us, acknowledge."""
    try:
        cloudevent = CloudEvent.model_validate(raw)
    except ValidationError as exc:
        return Outcome.DROP, None, f"not a giftflow CloudEvent: {exc.errors()[0]['msg']}"
    parsed = split_type(cloudevent.type)
    if parsed is None:
        return Outcome.DROP, None, f"unknown event type {cloudevent.type!r}"
    contract = EVENT_TYPES.get(cloudevent.type)
    if catch_all and contract is None:
        return Outcome.SUCCESS, Envelope(cloudevent, None), ""
    if cloudevent.type not in handlers and not catch_all:
        known_names = {split_type(t)[0] for t in handlers}
        if parsed[0] in known_names:
            return Outcome.DROP, None, f"unsupported version of {parsed[0]}: v{parsed[1]}"
        return Outcome.SUCCESS, None, "ignored"
    if contract is None:
        return Outcome.DROP, None, f"no contract for {cloudevent.type}"
    try:
        event = contract.model_validate(cloudevent.data)
    except ValidationError as exc:
        return Outcome.DROP, None, f"invalid {cloudevent.type} data: {exc.errors()[0]['msg']}"
    return Outcome.SUCCESS, Envelope(cloudevent, event), ""


def _trace_id(ce: CloudEvent) -> str | None:
    """The trace of the request that caused the event (Dapr's span of the delivery if none came)."""
    return trace_id_of(ce.origintraceparent) or trace_id_of(ce.traceparent)


def log_context(ce: CloudEvent):
    """Every log line while an event is handled carries its id, type and the trace that caused it."""
    return structlog.contextvars.bound_contextvars(
        event_id=str(ce.id),
        event_type=ce.type,
        trace_id=_trace_id(ce),
        dapr_trace_id=trace_id_of(ce.traceparent),
    )


class BulkConsumer:
    """Handles Dapr bulk-subscribe deliveries for one service."""

    def __init__(
        self,
        service: str,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Table,
        handlers: Mapping[str, Handler],
        catch_all: Handler | None = None,
    ) -> None:
        """`catch_all` receives every well-formed giftflow event without a handler of its own."""
        self.service = service
        self.sessions = sessions
        self.inbox = inbox
        self.handlers = handlers
        self.catch_all = catch_all
        # the series of what goes wrong exist from the start, at 0: a counter born at 1 by the first
        # retry or drop of a type would show no increase, on a panel or to rate()
        for event_type in EVENT_TYPES if catch_all else handlers:
            for outcome in (Outcome.RETRY, Outcome.DROP):
                EVENTS_CONSUMED.labels(service, event_type, outcome.value)

    async def handle_bulk(self, body: Mapping[str, Any]) -> dict:
        """Answer Dapr's bulk delivery (`{"entries": [...]}`) with a status per entry."""
        start = time.perf_counter()
        entries = body.get("entries") or []
        statuses: dict[str, Outcome] = {}
        parsed: list[tuple[str, Envelope]] = []
        for entry in entries:
            entry_id = str(entry.get("entryId", ""))
            outcome, envelope, reason = parse(
                entry.get("event"), self.handlers, self.catch_all is not None
            )
            if envelope is None:
                statuses[entry_id] = outcome
                self._count(entry.get("event"), outcome)
                if outcome is Outcome.DROP:
                    log.warning("event.dropped", entry_id=entry_id, reason=reason)
            else:
                parsed.append((entry_id, envelope))
        if parsed:
            statuses.update(await self._apply(parsed))
        HANDLER_LATENCY.labels(self.service).observe(time.perf_counter() - start)
        return {"statuses": [{"entryId": e, "status": s.value} for e, s in statuses.items()]}

    async def _apply(self, batch: list[tuple[str, Envelope]]) -> dict[str, Outcome]:
        try:
            try:
                statuses = await self._apply_together(batch)
            except _EntryFailed:
                # one entry failed and took the batch's transaction with it: redo the batch entry
                # by entry, each in a savepoint, so only that entry is retried or dead-lettered
                statuses = await self._apply_isolated(batch)
            except DBAPIError as exc:
                if database_unavailable(exc):
                    raise
                # the database refused the batch at its commit, where what the handlers staged is
                # written (stage_until_commit): one entry's rows, most likely. Entry by entry, each
                # writes in its own savepoint, so the others go through and only that one fails.
                log.warning("event.batch_refused_at_commit", size=len(batch), error=repr(exc))
                statuses = await self._apply_isolated(batch)
        except (OSError, OperationalError, DBAPIError) as exc:
            # the batch's transaction did not commit: nothing of it happened, so all of it is retried
            log.warning("event.batch_failed", size=len(batch), error=repr(exc))
            statuses = {entry_id: Outcome.RETRY for entry_id, _ in batch}
        counts = Counter((envelope.cloudevent.type, statuses[e]) for e, envelope in batch)
        for (event_type, outcome), n in counts.items():
            self._count_type(event_type, outcome, n)
        return statuses

    async def _apply_together(self, batch: list[tuple[str, Envelope]]) -> dict[str, Outcome]:
        """The fast path: one inbox insert for the batch, every handler, one commit."""
        async with self.sessions() as session, session.begin():
            fresh = await record_many(
                session, self.inbox, [(e.cloudevent.id, e.cloudevent.type) for _, e in batch]
            )
            for handler, run in self._runs(batch, fresh):
                try:
                    if isinstance(handler, Together):
                        await handler.handle(session, run)
                        continue
                    for envelope in run:
                        with log_context(envelope.cloudevent):
                            await handler(session, envelope)
                            log.debug("event.handled")
                except (OSError, OperationalError):
                    raise
                except Exception as exc:
                    raise _EntryFailed from exc
        # one line a batch, not one an event: which events, and the trace each came from, so a
        # request can still be followed into every consumer
        log.info(
            "events.batch_handled",
            size=len(batch),
            event_ids=[str(e.cloudevent.id) for _, e in batch],
            trace_ids=[_trace_id(e.cloudevent) for _, e in batch],
        )
        return {entry_id: Outcome.SUCCESS for entry_id, _ in batch}

    def _runs(
        self, batch: list[tuple[str, Envelope]], fresh: set[UUID]
    ) -> list[tuple[Handler, list[Envelope]]]:
        """The batch's first deliveries in order, consecutive ones for the same `Together` as one run."""
        runs: list[tuple[Handler, list[Envelope]]] = []
        for _, envelope in batch:
            ce = envelope.cloudevent
            if ce.id not in fresh:
                log.debug("event.duplicate", event_id=str(ce.id))
                continue
            fresh.discard(ce.id)  # the same event twice in one batch has one effect too
            handler = self.handlers.get(ce.type, self.catch_all)
            if isinstance(handler, Together) and runs and runs[-1][0] is handler:
                runs[-1][1].append(envelope)
            else:
                runs.append((handler, [envelope]))
        return runs

    async def _apply_isolated(self, batch: list[tuple[str, Envelope]]) -> dict[str, Outcome]:
        async with self.sessions() as session, session.begin():
            return {
                entry_id: await self._apply_one(session, envelope) for entry_id, envelope in batch
            }

    async def _apply_one(self, session: AsyncSession, envelope: Envelope) -> Outcome:
        ce = envelope.cloudevent
        with log_context(ce):
            try:
                async with session.begin_nested():
                    if not await record_once(session, self.inbox, ce.id, ce.type):
                        log.debug("event.duplicate")
                        return Outcome.SUCCESS
                    await self.handlers.get(ce.type, self.catch_all)(session, envelope)
            except PoisonEvent as exc:
                log.warning("event.poison", reason=str(exc))
                return Outcome.DROP
            except (OSError, OperationalError):
                raise
            except Exception as exc:
                if is_transient(exc):
                    log.warning("event.handler_failed", error=repr(exc))
                    return Outcome.RETRY
                log.exception(
                    "event.poison", reason=repr(exc)
                )  # with its traceback: it may be a fault of ours
                return Outcome.DROP
            log.debug("event.handled")
            return Outcome.SUCCESS

    def _count(self, raw: Any, outcome: Outcome) -> None:
        event_type = raw.get("type", "malformed") if isinstance(raw, dict) else "malformed"
        self._count_type(event_type if isinstance(event_type, str) else "malformed", outcome)

    def _count_type(self, event_type: str, outcome: Outcome, n: int = 1) -> None:
        # unknown types are folded into one label so a flood of junk cannot explode cardinality
        label = event_type if split_type(event_type) else "unknown"
        EVENTS_CONSUMED.labels(self.service, label, outcome.value).inc(n)


def events_router(
    service: str, inbox: Table, handlers: Mapping[str, Handler], catch_all: Handler | None = None
) -> APIRouter:
    """The one route Dapr delivers a consumer's bulk subscriptions to (see dapr/subscriptions/)."""
    router = APIRouter(tags=["events"])
    # one consumer per app (per its sessions), made at its first delivery, not one per delivery
    consumers: WeakKeyDictionary[async_sessionmaker, BulkConsumer] = WeakKeyDictionary()

    @router.post("/events", dependencies=[SidecarOnly], include_in_schema=False)
    async def deliver(request: Request) -> dict:
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "the body must be a Dapr bulk delivery (JSON)") from None
        sessions = request.app.state.sessions
        if (consumer := consumers.get(sessions)) is None:
            consumer = consumers[sessions] = BulkConsumer(
                service, sessions, inbox, handlers, catch_all
            )
        return await consumer.handle_bulk(body)

    return router
