"""Each member's stream: messages numbered by a per-member sequence, and the NOTIFY that wakes replicas.

A message is appended in the transaction of its cause (the events of a delivered batch, or a member
marking something read). The member's `stream_position` row is locked while it is numbered, so one
member's messages commit in sequence order: a reader that has seen message n has seen every message
before it. The NOTIFY payload is only `household user seq`; every replica reads the messages themselves
from the database.
"""

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from services.notification.models import notification, stream_message
from shared.consumer import stage_until_commit

CHANNEL = "notification_stream"
REVOKED = "revoked"  # in place of a sequence: the member left; close their streams

NOTIFICATION = "notification"
ENTITY_CHANGED = "entity_changed"


@dataclass(frozen=True)
class Outgoing:
    """One message for one member; `notification` holds the row of a notification, if it is one."""

    user_id: UUID
    event: str
    data: dict[str, Any]
    notification: dict[str, Any] | None = None
    hidden_persons: tuple[UUID, ...] = ()  # whoever is linked to one of these people later loses it


@dataclass(frozen=True, slots=True)
class Message:
    seq: int
    event: str
    data: str  # JSON, as stored
    frame: bytes  # as the stream sends it: encoded once, for every open stream of the member


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
SEP = "\r\n"  # every line of a stream ends the same way


def event_body(event: str, data: str) -> bytes:
    """The `event:` and `data:` lines of a message and its end: the same for every member it goes to."""
    lines = [f"event: {_LINE_BREAK.sub('', event)}"]
    lines += [f"data: {chunk}" for chunk in _LINE_BREAK.split(data)]
    return (SEP.join(lines) + SEP + SEP).encode()


def frame(seq: int, body: bytes) -> bytes:
    """A member's message: its number in the member's sequence, then the body all its members share."""
    return b"id: %d\r\n" % seq + body


class _Bodies(dict):
    """Bodies encoded while reading rows: one message sent to many members is encoded once."""

    def message(self, seq: int, event: str, data: str) -> Message:
        body = self.get((event, data))
        if body is None:
            body = self[event, data] = event_body(event, data)
        return Message(seq, event, data, frame(seq, body))


# numbers the messages and announces them in one round trip: the NOTIFY carries each member's new
# last number and, like every NOTIFY, is delivered only when (and if) the transaction commits
_NUMBER = text("""
    WITH numbered AS (
        INSERT INTO notification.stream_position AS p (household_id, user_id, last_seq)
        SELECT t.household_id, t.user_id, t.n
        FROM unnest(CAST(:households AS uuid[]), CAST(:users AS uuid[]), CAST(:counts AS bigint[]))
             AS t(household_id, user_id, n)
        ON CONFLICT (household_id, user_id) DO UPDATE SET last_seq = p.last_seq + excluded.last_seq
        RETURNING household_id, user_id, last_seq
    )
    SELECT household_id, user_id, last_seq, pg_notify(:channel, concat_ws(' ', household_id, user_id, last_seq))
    FROM numbered
""")


def _insert_from_json(table: Table, columns: str) -> TextClause:
    """INSERT … SELECT from one JSON array of rows: one statement text however many rows, so it is
    prepared once, where an executemany binds every row's parameters one by one."""
    names = ", ".join(column.split()[0] for column in columns.split(","))
    return text(
        f'INSERT INTO "{table.schema}".{table.name} ({names}) SELECT {names} '
        f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({columns})"
    )


_INSERT_MESSAGES = _insert_from_json(
    stream_message,
    "household_id uuid, user_id uuid, seq bigint, event text, data jsonb, hidden_persons uuid[]",
)
_INSERT_NOTIFICATIONS = _insert_from_json(
    notification,
    "id uuid, kind text, text text, entity text, entity_id uuid, list_id uuid, actor_id uuid, "
    "event_id uuid, event_type text, created_at timestamptz, household_id uuid, user_id uuid, "
    "seq bigint, hidden_persons uuid[]",
)

Staged = list[tuple[UUID, Outgoing]]  # (household id, message), in the order they were appended


def write(session: Session, staged: Staged) -> None:
    """Number the messages in each member's sequence, store them and NOTIFY: three statements however
    many messages. Synchronous, so it can run inside the session's commit (see `append`)."""
    if not staged:
        return
    counts = Counter((household_id, m.user_id) for household_id, m in staged)
    members = sorted(
        counts, key=lambda k: (str(k[0]), str(k[1]))
    )  # one lock order for every writer
    rows = session.execute(
        _NUMBER,
        {
            "households": [k[0] for k in members],
            "users": [k[1] for k in members],
            "counts": [counts[k] for k in members],
            "channel": CHANNEL,
        },
    )
    next_seq = {(h, u): last - counts[h, u] + 1 for h, u, last, _ in rows}
    stream_rows, notification_rows = [], []
    for household_id, message in staged:
        key = (household_id, message.user_id)
        seq = next_seq[key]
        next_seq[key] = seq + 1
        stream_rows.append(
            {
                "household_id": household_id,
                "user_id": message.user_id,
                "seq": seq,
                "event": message.event,
                "data": message.data,
                "hidden_persons": list(message.hidden_persons),
            }
        )
        if message.notification is not None:
            notification_rows.append(
                {
                    **message.notification,
                    "household_id": household_id,
                    "user_id": message.user_id,
                    "seq": seq,
                    "hidden_persons": list(message.hidden_persons),
                }
            )
    session.execute(_INSERT_MESSAGES, {"rows": json.dumps(stream_rows, default=str)})
    if notification_rows:
        session.execute(_INSERT_NOTIFICATIONS, {"rows": json.dumps(notification_rows, default=str)})


async def append(session: AsyncSession, household_id: UUID, messages: Sequence[Outgoing]) -> None:
    """Add `messages` to their members' streams in the session's transaction, written with the rest of
    the delivered batch's messages just before it commits (see shared.consumer.stage_until_commit)."""
    await stage_until_commit(session, write, [(household_id, m) for m in messages])


async def notify_revoked(session: AsyncSession, household_id: UUID, user_id: UUID) -> None:
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": f"{household_id} {user_id} {REVOKED}"},
    )


async def position(conn: AsyncConnection | AsyncSession, household_id: UUID, user_id: UUID) -> int:
    """The member's latest sequence number (0 before their first message)."""
    last = await conn.scalar(
        text(
            "SELECT last_seq FROM notification.stream_position WHERE household_id = :h AND user_id = :u"
        ),
        {"h": household_id, "u": user_id},
    )
    return last or 0


async def read_after(
    conn: AsyncConnection | AsyncSession,
    household_id: UUID,
    user_id: UUID,
    after: int,
    up_to: int | None = None,
    limit: int | None = None,
) -> list[Message]:
    """The member's messages numbered after `after` (and up to `up_to`), in order."""
    rows = await conn.execute(
        text("""
            SELECT seq, event, data::text FROM notification.stream_message
            WHERE household_id = :h AND user_id = :u AND seq > :after
              AND seq <= coalesce(CAST(:up_to AS bigint), 9223372036854775807)
            ORDER BY seq LIMIT :limit
        """),
        {"h": household_id, "u": user_id, "after": after, "up_to": up_to, "limit": limit},
    )
    bodies = _Bodies()
    return [bodies.message(*row) for row in rows]


# each member's messages through the primary key, member by member (LATERAL): joined as sets, the
# planner hashes the whole table for a thousand members (30 ms at 50,000 messages, against 5)
_READ_MANY = """
    SELECT c.household_id, c.user_id, m.seq, m.event, m.data::text
    FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS c(household_id, user_id, after_seq)
    CROSS JOIN LATERAL (
        SELECT s.seq, s.event, s.data FROM notification.stream_message s
        WHERE s.household_id = c.household_id AND s.user_id = c.user_id AND s.seq > c.after_seq
        ORDER BY s.seq
    ) m
    ORDER BY c.household_id, c.user_id, m.seq
"""
# whatever the table's statistics say: taken while it held one household of two, they had the
# planner scan the whole table once per member (230 ms for a thousand members of a young table,
# with 11 ms of JIT compilation on top)
_THROUGH_THE_KEY = "SET LOCAL enable_seqscan = off; SET LOCAL jit = off"


async def read_many(
    conn: AsyncConnection, after: dict[tuple[UUID, UUID], int]
) -> dict[tuple[UUID, UUID], list[Message]]:
    """Every listed member's messages after their own position, in one query.

    Straight through the driver (its prepared statement kept by the connection): a broadcast reads
    a thousand rows here, and SQLAlchemy's rows cost a third as much again as the query."""
    if not after:
        return {}
    keys = list(after)
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None  # a pooled connection, checked out
    async with driver.transaction(readonly=True):
        await driver.execute(_THROUGH_THE_KEY)
        rows = await driver.fetch(
            _READ_MANY, [k[0] for k in keys], [k[1] for k in keys], [after[k] for k in keys]
        )
    found: dict[tuple[UUID, UUID], list[Message]] = {}
    bodies = _Bodies()
    for household_id, user_id, seq, event, data in rows:
        found.setdefault((household_id, user_id), []).append(bodies.message(seq, event, data))
    return found
