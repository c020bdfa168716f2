"""The web client's modules as one script: made by the gateway from the files it serves when it has
esbuild, and the modules one by one when it has not, so a clone without it still works."""

import re

import httpx
import pytest

from services.gateway.web_bundle import INSTALLED, find_bundler

# an ES module import at the start of a line (words in the client's text may say "import")
IMPORT_STATEMENT = re.compile(r"^\s*import\s*(?:[{*\"']|[\w$]+\s*(?:,|from\s))", re.MULTILINE)


async def client_script(service_url, bundler: str) -> tuple[httpx.Response, str]:
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    app = create_app(
        Settings(database_url=service_url("gateway"), db_pool_size=1, web_bundler=bundler)
    )
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            page = await client.get("/")
            src = re.search(r'<script type="module" src="(/v/[0-9a-f]{12}/js/app\.js)"', page.text)
            return await client.get(src.group(1)), (await client.get("/js/app.js")).text
    finally:
        await app.state.engine.dispose()


async def test_without_a_bundler_the_client_s_modules_are_served_one_by_one(service_url):
    script, module = await client_script(service_url, "none")
    assert script.status_code == 200 and script.text == module
    assert 'from "./api.js"' in script.text


async def test_a_bundler_that_fails_leaves_the_modules_served(service_url):
    script, module = await client_script(service_url, "false")  # /bin/false: exits 1, says nothing
    assert script.status_code == 200 and script.text == module


@pytest.mark.skipif(not INSTALLED.is_file(), reason="esbuild is installed by `make install`")
async def test_with_esbuild_the_client_is_one_script_with_everything_it_imports(service_url):
    assert find_bundler("") == INSTALLED
    script, module = await client_script(service_url, "")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert not IMPORT_STATEMENT.search(script.text) and 'from "./' not in script.text
    for name in ("ApiError", "routes", "stepper"):  # from api.js, routes.js, views/list.js
        assert name in script.text, name
    assert len(script.text) > 3 * len(module)
