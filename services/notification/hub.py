"""Fan-out of stream messages to the clients connected to this replica.

Every replica keeps ONE `LISTEN` connection. A committed message NOTIFYs `household user seq`; the hub
notes which of its members are due, reads their new messages in one query and hands them to each of
their open streams. Nothing is pushed from replica to replica: each reads the database, so every
replica delivers every message to its own clients. A lost NOTIFY (the listener reconnecting) is made
good by catching up from each member's last position, and by a slow safety poll. The hub also keeps
time for every stream's heartbeat, and ends every stream as soon as the server is asked to stop, so
browsers reconnect to another replica at once rather than when the server's grace period runs out.
"""

import asyncio
import contextlib
import signal
from uuid import UUID

import asyncpg
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notification.stream_messages import CHANNEL, REVOKED, Message, read_many

log = structlog.get_logger()

Key = tuple[UUID, UUID]  # (household id, user id): one member


class Subscriber:
    """One open stream: the messages waiting for it, and whether it must end.

    Thousands are open and idle at once: a stream waits on a bare future, made when it starts
    waiting (an `asyncio.Event` would keep a queue of waiters besides, for a stream's whole life)."""

    __slots__ = ("key", "pending", "closed", "_ticked", "_waiter", "_limit")

    def __init__(self, key: Key, backlog_limit: int) -> None:
        self.key = key
        self.pending: list[Message] = []
        self.closed = False
        self._ticked = False
        self._waiter: asyncio.Future[None] | None = None
        self._limit = backlog_limit

    def deliver(self, messages: list[Message]) -> None:
        if self.closed:
            return
        self.pending.extend(messages)
        if len(self.pending) > self._limit:
            # too slow to keep up: end the stream; the client reconnects and replays from the database
            self.close()
        self._wake()

    def close(self) -> None:
        self.closed = True
        self.pending = []
        self._wake()

    def tick(self) -> None:
        """Heartbeat time: wake the stream even if nothing came."""
        self._ticked = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> list[Message] | None:
        """The messages delivered since the last call, waiting for some or a tick (then []);
        None once the stream must end."""
        while not self.pending and not self.closed and not self._ticked:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.closed:
            return None
        self._ticked = False
        messages, self.pending = self.pending, []
        return messages


class StreamHub:
    def __init__(
        self,
        engine: AsyncEngine,
        listen_dsn: str,
        poll_interval_s: float = 30.0,
        backlog_limit: int = 2000,
        heartbeat_s: float = 15.0,
    ) -> None:
        self.engine = engine
        self.listen_dsn = listen_dsn
        self.poll_interval_s = poll_interval_s
        self.heartbeat_s = heartbeat_s
        self.backlog_limit = backlog_limit
        self.subscribers: dict[Key, set[Subscriber]] = {}
        self.cursors: dict[
            Key, int
        ] = {}  # the last message this replica read, per member with streams
        self._due: dict[Key, int] = {}  # members with news: the first sequence number notified
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.listening = asyncio.Event()
        self.stopping = False

    async def start(self) -> None:
        server = _serving()  # started by the server's startup: the server serving this app
        self._tasks = [
            asyncio.create_task(self._listen(), name="stream-listen"),
            asyncio.create_task(self._pump(), name="stream-pump"),
            asyncio.create_task(self._poll(), name="stream-poll"),
            asyncio.create_task(self._tick(), name="stream-heartbeat"),
            asyncio.create_task(self._end_on_exit(server), name="stream-exit"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.end_streams()

    # streams -----------------------------------------------------------------------------------
    def attach(self, subscriber: Subscriber) -> None:
        """From now on `subscriber` gets its member's messages (closed at once if the server is stopping)."""
        if self.stopping:
            subscriber.close()
            return
        self.subscribers.setdefault(subscriber.key, set()).add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self.subscribers.get(subscriber.key)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self.subscribers[subscriber.key]
            self.cursors.pop(subscriber.key, None)
            self._due.pop(subscriber.key, None)

    def note_position(self, key: Key, seq: int) -> None:
        """A stream of `key` has read up to `seq` itself: the hub continues from there if it had no position."""
        if key in self.subscribers:
            self.cursors.setdefault(key, seq)

    @property
    def connections(self) -> int:
        return sum(len(s) for s in self.subscribers.values())

    # NOTIFY in, messages out ----------------------------------------------------------------------
    def _on_notify(self, _conn, _pid, _channel, payload: str) -> None:
        try:
            household, user, seq = payload.split(" ")
            key = (UUID(household), UUID(user))
        except ValueError:
            log.warning("stream.bad_notify", payload=payload[:200])
            return
        if key not in self.subscribers:
            return
        if seq == REVOKED:
            for subscriber in list(self.subscribers[key]):
                subscriber.close()
            return
        self._due[key] = min(self._due.get(key, int(seq)), int(seq))
        self._wake.set()

    def _catch_up(self) -> None:
        """Mark every member with a known position due, in case a NOTIFY was missed."""
        for key, cursor in self.cursors.items():
            self._due[key] = min(self._due.get(key, cursor + 1), cursor + 1)
        if self._due:
            self._wake.set()

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            due, self._due = self._due, {}
            after = {}
            for key, first in due.items():
                if key in self.subscribers:
                    cursor = self.cursors.get(key)
                    after[key] = cursor if cursor is not None else first - 1
            if not after:
                continue
            try:
                async with self.engine.connect() as conn:
                    found = await read_many(conn, after)
            except Exception as exc:  # noqa: BLE001 - the database is away: try again shortly
                log.warning("stream.read_failed", error=repr(exc))
                for key, first in due.items():
                    self._due[key] = min(self._due.get(key, first), first)
                await asyncio.sleep(1)
                self._wake.set()
                continue
            for key, messages in found.items():
                subscribers = self.subscribers.get(key)
                if not subscribers:
                    continue
                self.cursors[key] = max(self.cursors.get(key, 0), messages[-1].seq)
                for subscriber in list(subscribers):
                    subscriber.deliver(messages)

    async def _tick(self) -> None:
        """One timer for every stream's heartbeat, rather than a timer per stream per wait."""
        while True:
            await asyncio.sleep(self.heartbeat_s)
            for subscribers in list(self.subscribers.values()):
                for subscriber in subscribers:
                    subscriber.tick()

    def end_streams(self) -> None:
        """Ends every open stream and refuses new ones: the server is stopping."""
        self.stopping = True
        for subscribers in list(self.subscribers.values()):
            for subscriber in list(subscribers):
                subscriber.close()

    async def _end_on_exit(self, server: object) -> None:
        # uvicorn waits for open responses before its shutdown reaches the app, and a stream never
        # ends by itself: watch the flag its signal handler sets
        if server is None:  # served some other way: the streams end when the app stops (`stop`)
            return
        while not getattr(server, "should_exit", False):  # noqa: ASYNC110 - a flag, no event to wait on
            await asyncio.sleep(0.5)
        log.info("stream.server_stopping", streams=self.connections)
        self.end_streams()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval_s)
            self._catch_up()

    async def _listen(self) -> None:
        """One LISTEN connection for the whole replica; reconnect and catch up when it breaks."""
        while True:
            conn = None
            try:
                conn = await asyncpg.connect(self.listen_dsn)
                await conn.add_listener(CHANNEL, self._on_notify)
                self.listening.set()
                self._catch_up()
                while True:
                    await asyncio.sleep(10)
                    await asyncio.wait_for(conn.execute("SELECT 1"), timeout=5)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("stream.listen_failed", error=repr(exc))
            finally:
                self.listening.clear()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), timeout=2)
            await asyncio.sleep(1)


def _serving() -> object | None:
    """The uvicorn server serving this app, if it is one: while it serves, its `handle_exit` is the
    SIGTERM handler (and sets its `should_exit`)."""
    server = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    return server if hasattr(server, "should_exit") else None
