"""A family using the system while it is upgraded: pages read, tasks written, one page's live stream open.

Every request that does not answer 2xx, and every transport error, counts as failed: a rolling upgrade
that a family would notice. The live stream reconnects as a browser's EventSource does (with
`Last-Event-ID`), and what it received is kept so a gap can be found.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from shared.tokens import ACCESS_COOKIE

READERS = 2
READ_PAUSE_S = 0.1
WRITE_PAUSE_S = 0.2
WRITER, LISTENER = "maya", "daniel"


@dataclass
class Tally:
    reads: int = 0
    writes: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # the first few, to say what went wrong
    task_ids: list[str] = field(default_factory=list)  # every task a write was acknowledged for
    stream_ids: list[int] = field(default_factory=list)
    stream_opens: int = 0
    signed_in_again: int = (
        0  # sign-ins that expired during the rehearsal, renewed as the web client does
    )

    def fail(self, what: str) -> None:
        self.failed += 1
        if len(self.failures) < 20:
            self.failures.append(what)

    def stream_ids_missed(self) -> int:
        """Positions between the first and last message the stream received that it never got."""
        seen = set(self.stream_ids)
        return (max(seen) - min(seen) + 1 - len(seen)) if seen else 0


class FamilyTraffic:
    """Traffic as the family of `bench.gateway.Family` makes it, until `stop()`."""

    def __init__(self, url: str, family, reads: list[tuple[str, str, str, str]]) -> None:
        self.url, self.family, self.reads = url, family, reads
        self.tally = Tally()
        # each member's sign-in by the token the mixes were written with, and the token it has now
        self._logins = {login.access_token: login for login in family.logins.values()}
        self._tokens = {token: token for token in self._logins}
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._read(i)) for i in range(READERS)]
        self._tasks.append(asyncio.create_task(self._write()))
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> Tally:
        self._stopping.set()
        await asyncio.gather(*self._tasks)
        self._listener.cancel()  # the page is closed
        await asyncio.gather(self._listener, return_exceptions=True)
        return self.tally

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def _call(
        self, client: httpx.AsyncClient, method: str, path: str, token: str, **kwargs
    ) -> httpx.Response:
        """A request as the web client makes it: signed in again once, when the sign-in expired."""
        response = await client.request(method, path, headers=self._auth(token), **kwargs)
        if response.status_code == 401 and await self._sign_in_again(client, token):
            response = await client.request(method, path, headers=self._auth(token), **kwargs)
        return response

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._tokens[token]}"}

    async def _sign_in_again(self, client: httpx.AsyncClient, token: str) -> bool:
        login = self._logins[token]
        response = await client.post(
            "/api/auth/login", json={"email": login.email, "password": login.password}
        )
        client.cookies.clear()
        if not response.is_success:
            return False
        self._tokens[token] = response.json()["access_token"]
        self.tally.signed_in_again += 1
        return True

    async def _read(self, reader: int) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            n = reader
            while not self._stopping.is_set():
                method, path, token, _ = self.reads[n % len(self.reads)]
                n += READERS
                try:
                    response = await self._call(client, method, path, token)
                    if response.is_success:
                        self.tally.reads += 1
                    else:
                        self.tally.fail(f"{method} {path}: {response.status_code}")
                except httpx.HTTPError as exc:
                    self.tally.fail(f"{method} {path}: {exc!r}")
                await self._pause(READ_PAUSE_S)

    async def _write(self) -> None:
        household = self.family.household_id
        token = self.family.logins[WRITER].access_token
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            n = 0
            while not self._stopping.is_set():
                n += 1
                due = datetime.now(UTC) + timedelta(days=2, minutes=n)
                body = {
                    "title": f"Wrap present {n}",
                    "due_at": due.isoformat(),
                    "reminders": ["P1D"],
                }
                try:
                    response = await self._call(
                        client, "POST", f"/api/households/{household}/tasks", token, json=body
                    )
                    if response.is_success:
                        self.tally.writes += 1
                        self.tally.task_ids.append(response.json()["id"])
                    else:
                        self.tally.fail(f"POST tasks: {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    self.tally.fail(f"POST tasks: {exc!r}")
                await self._pause(WRITE_PAUSE_S)

    async def _listen(self) -> None:
        """The listener's open page: its stream, reopened where it left off whenever it ends."""
        household = self.family.household_id
        token = self.family.logins[LISTENER].access_token
        path = f"/api/households/{household}/notifications/stream"
        last: int | None = None
        async with httpx.AsyncClient(
            base_url=self.url, timeout=httpx.Timeout(30, read=60)
        ) as client:
            while not self._stopping.is_set():
                headers = {"Accept": "text/event-stream"}
                if last is not None:
                    headers["Last-Event-ID"] = str(last)
                try:
                    cookie = {ACCESS_COOKIE: self._tokens[token]}
                    async with client.stream(
                        "GET", path, headers=headers, cookies=cookie
                    ) as response:
                        if response.status_code == 401 and await self._sign_in_again(client, token):
                            continue
                        if not response.is_success:
                            self.tally.fail(f"stream: {response.status_code}")
                            await self._pause(2)
                            continue
                        self.tally.stream_opens += 1
                        async for line in response.aiter_lines():
                            if line.startswith("id:") and line[3:].strip().isdigit():
                                last = int(line[3:].strip())
                                self.tally.stream_ids.append(last)
                except httpx.ConnectError as exc:
                    self.tally.fail(f"stream: {exc!r}")  # a page that cannot reach the site at all
                except httpx.HTTPError:
                    pass  # a stream that ends is what EventSource reconnects after, as here
