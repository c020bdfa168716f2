"""The live stream: one SSE response per open page, authenticated by the login cookie.

Each message's `id:` is its number in the member's sequence. A reconnect sends it back as
`Last-Event-ID` (or a reloaded page as `?since=`) and first gets what it missed, from the database,
in order; then it continues live. A stream that missed too much, or messages already past retention,
gets `event: resync` (reload the page), then continues live from the current position.

Messages arrive encoded (`Message.frame`, made once where the rows are read: a message many members
get is encoded once, and each member's frame is shared by all of that member's open streams); a stream
writes what a wake brought in one send.

A stream ends (at its next heartbeat) once the sign-in it was opened with has expired: the browser's
reconnect then needs the refreshed cookie, so a signed-out member stops hearing within one token lifetime.
"""

import json
import time
from collections.abc import AsyncGenerator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from starlette.datastructures import State

from services.notification import member_notifications, stream_messages
from services.notification.auth import CurrentMember, Member
from services.notification.config import Settings
from services.notification.event_stream import HEARTBEAT, EventStream, control
from services.notification.hub import StreamHub, Subscriber
from services.notification.stream_messages import Message
from shared.cursors import MAX_BIGINT
from shared.errors import AppError
from shared.metrics import SSE_CONNECTIONS
from shared.streams import StreamRoute

router = APIRouter(
    prefix="/api/households/{household_id}/notifications",
    tags=["notifications"],
    route_class=StreamRoute,
)

RETRY_MS = 2000  # how soon a browser reconnects after the stream broke


class InvalidPosition(AppError):
    status_code = 422
    code = "validation_failed"


def _start(last_event_id: str | None, since: int | None) -> int | None:
    """Where a stream resumes: the header a reconnecting EventSource sends wins over `?since=`."""
    if last_event_id is None or not last_event_id.strip():
        return since
    try:
        value = int(last_event_id)
    except ValueError:
        raise InvalidPosition(
            "Last-Event-ID must be the `id:` of a message this stream sent."
        ) from None
    if not 0 <= value <= MAX_BIGINT:
        raise InvalidPosition("Last-Event-ID must be the `id:` of a message this stream sent.")
    return value


async def _replay(
    state: State, member: Member, since: int | None
) -> tuple[list[Message], int, bool, int]:
    """What a stream starts with: missed messages, its position, whether it must resync, unread count."""
    settings: Settings = state.settings
    async with state.sessions() as session:
        current = await stream_messages.position(session, *member.key)
        unread = await member_notifications.unread_count(session, member)
        if since is None or since == current:
            return [], current, False, unread
        if since > current:  # not a position of this stream (an old database, another household)
            return [], current, True, unread
        missed = await stream_messages.read_after(
            session, *member.key, since, up_to=current, limit=settings.stream_replay_limit + 1
        )
    complete = len(missed) == current - since  # none past retention, not more than the limit
    return (missed, current, False, unread) if complete else ([], current, True, unread)


async def _events(
    state: State, member: Member, subscriber: Subscriber, since: int | None
) -> AsyncGenerator[bytes, None]:
    """The stream's frames. It holds the app's state, not the request (its headers, cookies, …)."""
    hub: StreamHub = state.hub
    gauge = SSE_CONNECTIONS.labels(state.settings.service_name)
    hub.attach(subscriber)  # before reading, so nothing committed meanwhile is missed
    gauge.inc()
    try:
        missed, last, resync, unread = await _replay(state, member, since)
        if resync:
            yield control("resync", json.dumps({"position": last}), last)
        if missed:
            yield b"".join(m.frame for m in missed)
        yield control("ready", json.dumps({"position": last, "unread": unread}), last, RETRY_MS)
        hub.note_position(member.key, last)
        while (
            batch := await subscriber.next()
        ) is not None:  # None: the member left, or could not keep up
            if time.time() > member.signed_in_until:
                return
            if not batch:  # heartbeat time: a comment line keeps proxies from closing the stream
                yield HEARTBEAT
                continue
            # the frames the hub encoded, shared with the member's other streams, in one write
            frames: list[bytes] = []
            for message in batch:
                if message.seq <= last:  # already sent (replayed, or read for another stream)
                    continue
                if message.seq > last + 1:  # the hub started later than this stream: the gap first
                    async with state.sessions() as session:
                        gap = await stream_messages.read_after(
                            session, *member.key, last, up_to=message.seq - 1
                        )
                    frames += [missing.frame for missing in gap]
                frames.append(message.frame)
                last = message.seq
            if frames:
                yield b"".join(frames)
    finally:
        hub.unsubscribe(subscriber)
        gauge.dec()


@router.get(
    "/stream",
    response_class=EventStream,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "An endless stream of server-sent events.",
        },
        401: {},
        404: {"description": "No such household, or the caller is not a member of it."},
    },
)
async def stream(
    request: Request,
    member: CurrentMember,
    since: Annotated[
        int | None,
        Query(
            ge=0, le=MAX_BIGINT, description="Resume after this message `id` (after a page reload)."
        ),
    ] = None,
    last_event_id: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> EventStream:
    """My live stream: `notification` and `entity_changed` messages, `ready` once caught up, `resync` to reload.

    Messages are numbered per member (`id:`); reconnecting with `Last-Event-ID` or `?since=` replays what
    was missed. A comment line every 15 s keeps proxies from closing an idle stream.
    """
    settings: Settings = request.app.state.settings
    start = _start(last_event_id, since)
    subscriber = Subscriber(member.key, request.app.state.hub.backlog_limit)
    # heartbeats come from the hub's one timer (not a pinger task per open stream); every send,
    # heartbeat or message, must finish within the send timeout
    return EventStream(
        _events(request.app.state, member, subscriber, start),
        hang_up=subscriber.close,
        send_timeout_s=settings.stream_send_timeout_s,
    )
