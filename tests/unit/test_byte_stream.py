"""How a long-lived response ends (shared.streams.ByteStream), driven through its ASGI interface: the
chunks run out, the client hangs up while it waits for the next chunk, a send stalls, or the server
cancels it."""

import asyncio
from collections.abc import AsyncGenerator

import pytest

from shared.streams import ByteStream


class Client:
    """The ASGI side of one connection: what was sent, and a hang-up when the test says so."""

    def __init__(self, stall_sends: bool = False) -> None:
        self.sent: list[dict] = []
        self.gone = asyncio.Event()
        self.stall_sends = stall_sends

    async def receive(self) -> dict:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        if self.stall_sends and message["type"] == "http.response.body":
            await asyncio.Event().wait()  # a client that stopped reading
        self.sent.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent)


def stream(chunks: AsyncGenerator[bytes, None], **kwargs) -> ByteStream:
    return ByteStream(
        chunks, headers=[(b"content-type", b"text/plain")], send_timeout_s=0.05, **kwargs
    )


async def test_the_chunks_are_sent_and_the_response_finished():
    async def chunks():
        yield b"one "
        yield b"two"

    client = Client()
    await stream(chunks())({"type": "http"}, client.receive, client.send)
    assert client.sent[0]["status"] == 200
    assert client.body == b"one two"
    assert client.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_a_hang_up_ends_the_wait_for_the_next_chunk_and_its_cleanup_runs():
    cleaned_up = asyncio.Event()
    waiting = asyncio.Event()

    async def chunks():
        try:
            yield b"first"
            waiting.set()
            await asyncio.Event().wait()  # upstream says nothing more for now
            yield b"never"
        finally:
            cleaned_up.set()

    client = Client()
    response = asyncio.create_task(stream(chunks())({"type": "http"}, client.receive, client.send))
    await waiting.wait()
    client.gone.set()
    await response  # ends quietly: no CancelledError out of it
    assert cleaned_up.is_set()
    assert client.body == b"first"
    assert not response.cancelled()


async def test_a_hang_up_calls_hang_up_when_one_is_given():
    ended = asyncio.Event()

    async def chunks():
        yield b"first"
        await ended.wait()

    client = Client()
    response = asyncio.create_task(
        stream(chunks(), hang_up=ended.set)({"type": "http"}, client.receive, client.send)
    )
    while not client.sent[1:]:
        await asyncio.sleep(0)
    client.gone.set()
    await response
    assert ended.is_set() and client.body == b"first"


async def test_a_send_that_stalls_ends_the_stream():
    cleaned_up = asyncio.Event()

    async def chunks():
        try:
            yield b"nobody reads this"
        finally:
            cleaned_up.set()

    client = Client(stall_sends=True)
    await stream(chunks())({"type": "http"}, client.receive, client.send)
    assert cleaned_up.is_set()


async def a_stream_waiting_for_its_first_chunk(**kwargs) -> tuple[asyncio.Task, Client]:
    waiting = asyncio.Event()

    async def chunks():
        waiting.set()
        await asyncio.Event().wait()
        yield b"never"

    client = Client()
    response = asyncio.create_task(
        stream(chunks(), **kwargs)({"type": "http"}, client.receive, client.send)
    )
    await waiting.wait()
    return response, client


async def test_the_server_cancelling_it_is_not_taken_for_a_hang_up():
    response, _ = await a_stream_waiting_for_its_first_chunk()
    response.cancel()
    with pytest.raises(asyncio.CancelledError):
        await response


@pytest.mark.parametrize("hang_up", [None, lambda: None], ids=["cancelled", "told"])
async def test_a_server_cancelling_it_as_the_client_hangs_up_still_cancels_it(hang_up):
    response, client = await a_stream_waiting_for_its_first_chunk(hang_up=hang_up)
    client.gone.set()
    await asyncio.sleep(0)  # the hang-up is seen and cancels the wait ...
    response.cancel()  # ... and the server cancels the request too, before it has run again
    with pytest.raises(asyncio.CancelledError):
        await response
