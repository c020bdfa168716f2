"""A pod on its way out closes each connection after its answer, and only then (shared/draining.py)."""

from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.draining import CloseWhenDraining


def _app(flag: Path | None) -> CloseWhenDraining:
    async def hello(_request):
        return PlainTextResponse("hello", headers={"Connection": "keep-alive"})

    return CloseWhenDraining(Starlette(routes=[Route("/", hello)]), flag=flag)


async def _get(app) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get("/")


async def test_answers_keep_their_connection_until_the_flag_appears(tmp_path: Path):
    flag = tmp_path / "draining"
    app = _app(flag)
    before = await _get(app)
    assert before.text == "hello"
    assert before.headers["connection"] == "keep-alive"

    flag.touch()  # what the preStop hook does
    during = await _get(app)
    assert during.text == "hello" and during.status_code == 200
    assert during.headers.get_list("connection") == ["close"]


async def test_without_a_configured_flag_nothing_changes():
    response = await _get(_app(None))
    assert response.headers["connection"] == "keep-alive"


def test_an_empty_setting_means_no_flag(monkeypatch):
    from shared.settings import ServiceSettings

    monkeypatch.setenv("DRAINING_FILE", "")
    assert ServiceSettings().draining_file is None
    monkeypatch.setenv("DRAINING_FILE", "/tmp/draining")
    assert ServiceSettings().draining_file == Path("/tmp/draining")
