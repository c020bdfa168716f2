"""The live stream against a real Postgres, served by real uvicorn servers: live delivery, replay
on reconnect, several replicas through LISTEN/NOTIFY, heartbeats, and the ends of a stream."""

import asyncio
import contextlib
import gc
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
import uvicorn
from starlette.requests import Request

from services.notification.config import Settings
from services.notification.main import create_app
from shared.events import household as h
from tests.integration.test_notification_fanout import SECRET, Family, new_family, token_for
from tests.sse_client import open_stream


@contextlib.asynccontextmanager
async def serving(
    service_url, graceful_s: float = 2, **settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A notification replica on a free port, as uvicorn runs it; a client for it (`client.app` is the
    app, `client.server` the uvicorn server)."""
    app = create_app(
        Settings(
            database_url=service_url("notification"), db_pool_size=5, jwt_secret=SECRET, **settings
        )
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            timeout_graceful_shutdown=graceful_s,
        )
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not server.started:
            await asyncio.sleep(0.02)
        await app.state.hub.listening.wait()
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            client.app = app
            client.server = server
            yield client
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def family(sessions_for) -> Family:
    return await new_family(sessions_for("notification"))


@pytest.fixture
async def replica(service_url):
    async with serving(service_url) as client:
        yield client


def stream_url(family: Family) -> str:
    return f"/api/households/{family.household_id}/notifications/stream"


async def test_a_claim_reaches_another_members_open_stream_live(family: Family, replica):
    async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as dad:
        ready = await dad.next("ready")
        await family.deliver(family.claim(family.ben, hidden_from=[family.cleo]))
        change = await dad.next("entity_changed")
        notice = await dad.next("notification")
    assert (change.data["entity"], change.data["change"]) == ("claim", "added")
    assert notice.data["text"] == "Ben claimed a gift"
    assert [int(ready.id) + 1, int(ready.id) + 2] == [int(change.id), int(notice.id)]


async def test_the_recipient_stream_hears_nothing_of_the_claim(family: Family, replica):
    async with (
        open_stream(replica, stream_url(family), cookie=token_for(family.cleo)) as cleo,
        open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as dad,
    ):
        await cleo.next("ready")
        await dad.next("ready")
        await family.deliver(family.claim(family.ben, hidden_from=[family.cleo]))
        await dad.next("notification")
        await family.deliver(family.gift(family.ann, "Marker"))  # behind the claim, for everyone
        marker = await cleo.next("notification")
    assert marker.data["text"] == "Ann added the gift “Marker”"
    assert [e.data["entity"] for e in cleo.seen if e.event == "entity_changed"] == ["gift"]


async def test_a_reconnect_gets_exactly_what_it_missed_in_order(family: Family, replica):
    async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as first:
        await first.next("ready")
        await family.deliver(family.gift(family.ann, "Seen"))
        last_seen = await first.next("notification")

    await family.deliver(*(family.gift(family.ann, f"Missed {i}") for i in range(3)))

    async with open_stream(
        replica, stream_url(family), cookie=token_for(family.dad), last_event_id=last_seen.id
    ) as again:
        replayed = await again.until(lambda e: e.event == "ready")
        await family.deliver(family.gift(family.ann, "Live"))
        live = await again.next("notification")

    messages = replayed[:-1]
    assert [int(m.id) for m in messages] == list(
        range(int(last_seen.id) + 1, int(last_seen.id) + 7)
    )
    assert [m.data["text"] for m in messages if m.event == "notification"] == [
        f"Ann added the gift “Missed {i}”" for i in range(3)
    ]
    assert replayed[-1].id == messages[-1].id
    assert (
        live.data["text"] == "Ann added the gift “Live”"
        and int(live.id) == int(messages[-1].id) + 2
    )


async def test_a_reloaded_page_resumes_with_since(family: Family, replica):
    await family.deliver(family.gift(family.ann, "One"), family.gift(family.ann, "Two"))
    async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as now:
        position = int((await now.next("ready")).id)
    async with open_stream(
        replica, stream_url(family), cookie=token_for(family.dad), params={"since": position - 2}
    ) as resumed:
        replayed = await resumed.until(lambda e: e.event == "ready")
    assert [m.event for m in replayed[:-1]] == ["entity_changed", "notification"]
    assert replayed[-2].data["text"] == "Ann added the gift “Two”"
    assert [int(m.id) for m in replayed[:-1]] == [position - 1, position]


async def test_each_replica_delivers_every_message_to_its_own_clients(
    family: Family, replica, service_url
):
    async with serving(service_url) as second:
        async with (
            open_stream(replica, stream_url(family), cookie=token_for(family.ben)) as ben,
            open_stream(second, stream_url(family), cookie=token_for(family.dad)) as dad,
            open_stream(second, stream_url(family), cookie=token_for(family.ben)) as bens_phone,
        ):
            for stream in (ben, dad, bens_phone):
                await stream.next("ready")
            await family.deliver(family.gift(family.ann, "For all"))
            got = [await s.next("notification") for s in (ben, dad, bens_phone)]
    assert {n.data["text"] for n in got} == {"Ann added the gift “For all”"}
    assert got[0].id == got[2].id  # one member, one sequence, whichever replica serves them


async def test_a_stream_that_missed_too_much_is_told_to_reload(family: Family, service_url):
    async with serving(service_url, stream_replay_limit=2) as replica:
        async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as first:
            position = (await first.next("ready")).id
        await family.deliver(*(family.gift(family.ann, f"Missed {i}") for i in range(3)))
        async with open_stream(
            replica, stream_url(family), cookie=token_for(family.dad), last_event_id=position
        ) as again:
            resync = await again.next()
            ready = await again.next()
    assert resync.event == "resync" and ready.event == "ready"
    assert int(ready.id) == int(position) + 6 == resync.data["position"]


async def test_heartbeats_are_comment_lines(family: Family, service_url):
    async with serving(service_url, stream_heartbeat_s=0.2) as replica:
        async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as stream:
            await stream.next("ready")
            await asyncio.sleep(1)
    assert any(c.startswith("ping") for c in stream.comments)


async def test_a_member_removed_from_the_household_loses_their_stream(family: Family, replica):
    async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as dad:
        await dad.next("ready")
        await family.deliver(
            h.MemberRemoved(
                household_id=family.household_id,
                actor_id=family.ann,
                user_id=family.dad,
                role="adult",
            )
        )
        async with asyncio.timeout(30):
            await dad.ended.wait()
    async with open_stream(replica, stream_url(family), cookie=token_for(family.dad), expect=404):
        pass


async def test_a_closed_page_is_cleaned_up(family: Family, service_url):
    async with serving(service_url) as replica:
        hub = replica.app.state.hub
        async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as dad:
            await dad.next("ready")
            assert hub.connections == 1
        # the server notices the closed connection and forgets the stream
        async with asyncio.timeout(10):
            while hub.connections:
                await asyncio.sleep(0.05)
        assert hub.subscribers == {} and hub.cursors == {}


async def test_an_open_stream_keeps_neither_its_request_nor_the_exit_stacks_of_its_route(
    family: Family, replica
):
    """A replica holds thousands of streams open for hours: each keeps its connection, its place in
    the hub and the frames of the middleware it came through; not the request (its headers, cookies),
    nor the exit stacks FastAPI keeps around a route's response for dependencies with `yield`
    (`shared.streams.StreamRoute`)."""

    def alive() -> Counter[str]:
        gc.collect()
        kinds = (Request, AsyncExitStack)
        return Counter(type(o).__name__ for o in gc.get_objects() if isinstance(o, kinds))

    streams = 5
    async with AsyncExitStack() as opened:
        before = alive()
        for _ in range(streams):
            stream = await opened.enter_async_context(
                open_stream(replica, stream_url(family), cookie=token_for(family.dad))
            )
            await stream.next("ready")
        during = alive()
    # one of each per stream, kept by the app's middleware: Starlette's exception middleware keeps
    # a request of its own, FastAPI's an exit stack
    assert during["Request"] - before["Request"] == streams
    assert during["AsyncExitStack"] - before["AsyncExitStack"] == streams


async def test_a_server_asked_to_stop_ends_its_streams(family: Family, service_url):
    # a grace period far longer than the test may wait: the streams end because the server is
    # stopping, not because the grace period ran out and their tasks were cancelled
    async with serving(service_url, graceful_s=600) as replica:
        hub = replica.app.state.hub
        async with open_stream(replica, stream_url(family), cookie=token_for(family.dad)) as dad:
            await dad.next("ready")
            replica.server.should_exit = True  # what its SIGTERM handler does
            async with asyncio.timeout(30):
                await dad.ended.wait()
            assert hub.stopping and hub.connections == 0


async def test_the_stream_needs_a_sign_in(family: Family, replica):
    async with open_stream(replica, stream_url(family), expect=401):
        pass
    async with open_stream(replica, stream_url(family), cookie=token_for(uuid.uuid4()), expect=404):
        pass


async def test_a_stream_ends_when_the_sign_in_it_was_opened_with_expires(
    family: Family, service_url
):
    from datetime import UTC, datetime, timedelta

    from shared.tokens import LEEWAY_S, create_access_token

    # issued so that it is accepted for about two more seconds (expiry plus the clock-skew leeway)
    issued = datetime.now(UTC) - timedelta(seconds=LEEWAY_S)
    token = create_access_token(family.dad, SECRET, issued, timedelta(seconds=2))
    async with serving(service_url, stream_heartbeat_s=0.5) as replica:
        async with open_stream(replica, stream_url(family), cookie=token) as dad:
            await dad.next("ready")
            async with asyncio.timeout(30):
                await dad.ended.wait()
        async with open_stream(replica, stream_url(family), cookie=token, expect=401):
            pass
