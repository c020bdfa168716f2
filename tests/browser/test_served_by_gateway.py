"""The gateway serves the web client at / without hiding its own routes, compressed, and versioned so a
browser keeps the client's files for good yet never runs old and new modules together."""

import os
import re

import httpx

from services.gateway.web_bundle import find_bundler

# an ES module import at the start of a line: `import {a} from "./x.js"`, `import "./x.js"`
IMPORT_STATEMENT = re.compile(r"^\s*import\s*(?:[{*\"']|[\w$]+\s*(?:,|from\s))", re.MULTILINE)

# as the test stack's gateway finds esbuild: it inherits this environment
BUNDLED = find_bundler(os.environ.get("WEB_BUNDLER", "")) is not None


async def test_the_client_is_at_the_root_and_the_api_docs_health_and_metrics_still_answer(stack):
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as client:
        root = await client.get("/")
        assert root.status_code == 200 and "text/html" in root.headers["content-type"]
        assert re.search(r'<script type="module" src="/v/[0-9a-f]{12}/js/app\.js">', root.text)
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/openapi.json")).json()["info"]["title"] == "giftflow gateway"
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200
        me = await client.get("/api/me")
        assert me.status_code == 401 and me.json()["error"]["code"] == "unauthorized"
        missing = await client.get("/api/no-such-thing")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_the_page_is_revalidated_and_the_files_it_names_are_kept_for_good(stack):
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as client:
        root = await client.get("/")
        # the page itself is asked for again on every load (a 304 while nothing changed)
        assert root.headers["cache-control"] == "no-cache"
        assert (
            await client.get("/", headers={"if-none-match": root.headers["etag"]})
        ).status_code == 304
        version = re.search(r'src="/v/([0-9a-f]{12})/js/app\.js"', root.text).group(1)
        assert f'href="/v/{version}/css/app.css"' in root.text

        module = await client.get(f"/v/{version}/js/app.js")
        assert module.status_code == 200 and "javascript" in module.headers["content-type"]
        assert module.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert (
            await client.get(
                f"/v/{version}/js/app.js", headers={"if-none-match": module.headers["etag"]}
            )
        ).status_code == 304
        if BUNDLED:  # everything it imports is in it: no import statement is left (words in text may say "import")
            assert not IMPORT_STATEMENT.search(module.text) and "ApiError" in module.text
        else:
            assert module.text == (await client.get("/js/app.js")).text
        # the modules' imports are relative, so they stay in the same version
        assert 'from "./api.js"' in (await client.get("/js/app.js")).text
        assert (
            (await client.get(f"/v/{version}/js/api.js"))
            .headers["cache-control"]
            .endswith("immutable")
        )

        # a page from before an upgrade asks for its version: it gets today's files, never kept
        stale = await client.get("/v/000000000000/js/app.js")
        assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
        # the unversioned files (the service worker among them) are revalidated on every load
        worker = await client.get("/sw.js")
        assert worker.headers["cache-control"] == "no-cache"
        assert (
            await client.get("/sw.js", headers={"if-none-match": worker.headers["etag"]})
        ).status_code == 304


async def test_the_client_s_text_files_are_sent_compressed(stack):
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as client:
        root = await client.get("/", headers={"accept-encoding": "gzip"})
        version = re.search(r'src="/v/([0-9a-f]{12})/js/app\.js"', root.text).group(1)
        for path in ("/", f"/v/{version}/js/app.js", f"/v/{version}/css/app.css"):
            answer = await client.get(path, headers={"accept-encoding": "gzip"})
            assert answer.headers.get("content-encoding") == "gzip", path
            assert int(answer.headers["content-length"]) < len(answer.content), (
                path
            )  # httpx has unpacked it
