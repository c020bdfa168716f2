"""Calling an operation as someone, and walking a paged answer to its end.

A live stream is read until it says it is `ready` (it has sent all it replays), then cut: it never ends
by itself. Every call has a deadline; a call that does not answer in time is a finding, not a wait.
"""

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.security.facts import parse_json
from tests.security.openapi import Operation

DEADLINE_S = 10.0
STREAM_WINDOW_S = 5.0
MAX_PAGES = 60
READY = re.compile(
    r"^event: ready\n(?:.+\n)*\n", re.MULTILINE
)  # the whole `ready` message, to its blank line


@dataclass(frozen=True)
class Answer:
    route: str  # the operation: method and path template
    label: str  # method, path and query, as sent
    status: int
    text: str
    sent: str  # all the caller put in the request: what an answer may echo without telling anything

    @property
    def json(self) -> Any:
        return parse_json(self.text)


async def call(
    client: httpx.AsyncClient,
    op: Operation,
    url: str,
    headers: dict[str, str],
    params: dict | None = None,
    body: Any = None,
) -> Answer:
    params = {**op.required_query(), **{k: v for k, v in (params or {}).items() if v is not None}}
    label = f"{op.method} {url}" + (f"?{urlencode(params, doseq=True)}" if params else "")
    sent = label + (json.dumps(body) if body is not None else "")
    request = client.build_request(
        op.method,
        url,
        params=params,
        headers=headers,
        json=body if body is not None else None,
        timeout=DEADLINE_S,
    )
    try:
        if op.streams:
            status, text = await _read_stream(client, request)
        else:
            response = await client.send(request)
            status, text = response.status_code, response.text
    except httpx.TimeoutException:
        return Answer(op.label, label, 0, f"no answer within {DEADLINE_S:.0f}s", sent)
    return Answer(op.label, label, status, text, sent)


async def _read_stream(client: httpx.AsyncClient, request: httpx.Request) -> tuple[int, str]:
    response = await client.send(request, stream=True)
    text = ""
    try:
        if response.status_code != 200 or "text/event-stream" not in response.headers.get(
            "content-type", ""
        ):
            return response.status_code, (await response.aread()).decode(errors="replace")
        try:
            async with asyncio.timeout(STREAM_WINDOW_S):
                async for chunk in response.aiter_text():
                    text += chunk.replace("\r\n", "\n")
                    if READY.search(text):
                        break
        except TimeoutError:
            pass
        return response.status_code, text
    finally:
        await response.aclose()


async def walk_pages(
    client: httpx.AsyncClient,
    op: Operation,
    url: str,
    headers: dict[str, str],
    params: dict | None = None,
    limit: int = 1,
) -> tuple[list[Answer], list[str]]:
    """Every page of a paged answer, `limit` items at a time; and what the paging itself gave away: a page
    that comes back empty after the previous one promised more tells that something was hidden."""
    answers, problems, cursor = [], [], None
    for _ in range(MAX_PAGES):
        answer = await call(
            client, op, url, headers, {**(params or {}), "limit": limit, "cursor": cursor}
        )
        answers.append(answer)
        page = answer.json
        if answer.status != 200 or not isinstance(page, dict):
            break
        if cursor is not None and not page.get("items"):
            problems.append(f"{answer.label}: an empty page after a next_cursor promised more")
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return answers, problems
