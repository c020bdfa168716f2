"""A small Server-Sent Events reader for tests: what an EventSource would see, message by message.

async with open_stream(client, url, cookie=token) as stream:
    ready = await stream.next("ready")
    message = await stream.next("notification")
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.tokens import ACCESS_COOKIE


@dataclass(frozen=True)
class SseEvent:
    id: str | None
    event: str
    data: Any


@dataclass
class SseStream:
    response: httpx.Response
    events: asyncio.Queue = field(default_factory=asyncio.Queue)
    comments: list[str] = field(default_factory=list)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    seen: list[SseEvent] = field(default_factory=list)

    async def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            async for line in self.response.aiter_lines():
                if line == "":
                    if "data" in fields or "event" in fields:
                        raw = fields.get("data", "")
                        try:
                            data = json.loads(raw)
                        except ValueError:
                            data = raw
                        event = SseEvent(fields.get("id"), fields.get("event", "message"), data)
                        self.seen.append(event)
                        await self.events.put(event)
                    fields = {}
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    fields[name] = (
                        f"{fields[name]}\n{value}" if name == "data" and name in fields else value
                    )
        except (httpx.HTTPError, asyncio.CancelledError):
            pass
        finally:
            self.ended.set()

    async def next(self, *kinds: str, timeout: float = 30) -> SseEvent:
        """The next message of one of `kinds` (any kind if none), skipping others."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                if not kinds or event.event in kinds:
                    return event

    async def until(self, predicate, timeout: float = 30) -> list[SseEvent]:
        """Messages up to and including the first one `predicate` accepts."""
        taken = []
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                taken.append(event)
                if predicate(event):
                    return taken

    async def quiet(self, seconds: float) -> list[SseEvent]:
        """What arrives within `seconds` (for asserting that nothing does)."""
        await asyncio.sleep(seconds)
        drained = []
        while not self.events.empty():
            drained.append(self.events.get_nowait())
        return drained


@contextlib.asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient,
    url: str,
    *,
    cookie: str | None = None,
    bearer: str | None = None,
    last_event_id: str | None = None,
    params: dict | None = None,
    expect: int = 200,
) -> AsyncIterator[SseStream]:
    """An open stream, authenticated as a browser is (the access cookie) unless `bearer` is given."""
    headers = {"Accept": "text/event-stream"}
    if cookie:
        headers["Cookie"] = f"{ACCESS_COOKIE}={cookie}"
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    timeout = httpx.Timeout(10.0, read=120.0)
    async with client.stream(
        "GET", url, headers=headers, params=params, timeout=timeout
    ) as response:
        if response.status_code != expect:
            body = (await response.aread()).decode(errors="replace")
            raise AssertionError(f"GET {url}: {response.status_code} {body[:300]}")
        stream = SseStream(response)
        if expect != 200:
            yield stream
            return
        reader = asyncio.create_task(stream._read())
        try:
            yield stream
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
