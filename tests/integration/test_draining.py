"""Through a real uvicorn over TCP: while the flag exists, the server closes each connection after its
answer (shared/draining.py), so a client is never left on one uvicorn closes when the pod stops."""

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.draining import CloseWhenDraining

REQUEST = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n"


@pytest.fixture
def server(tmp_path: Path):
    async def hello(_request):
        return PlainTextResponse("hello")

    flag = tmp_path / "draining"
    app = CloseWhenDraining(Starlette(routes=[Route("/", hello)]), flag=flag)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_keep_alive=75)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield listening.getsockname(), flag
    running.should_exit = True
    thread.join(10)


def _answer(conn: socket.socket) -> bytes:
    data = b""
    while b"hello" not in data:
        chunk = conn.recv(4096)
        assert chunk, f"closed before the answer: {data!r}"
        data += chunk
    return data


def test_a_connection_is_kept_until_the_flag_then_closed_after_its_answer(server):
    address, flag = server
    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(REQUEST)
        assert b"200 OK" in _answer(conn)
        conn.sendall(REQUEST)  # kept alive: the same connection answers again
        assert b"200 OK" in _answer(conn)

        flag.touch()  # the preStop hook
        conn.sendall(REQUEST)
        answer = _answer(conn)
        assert b"200 OK" in answer and b"connection: close" in answer.lower()
        assert conn.recv(4096) == b""  # the server closed it behind the answer
