"""The gateway serves the web client at / without hiding its own routes."""

import httpx


async def test_the_client_is_at_the_root_and_the_api_docs_health_and_metrics_still_answer(stack):
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as client:
        root = await client.get("/")
        assert root.status_code == 200 and "text/html" in root.headers["content-type"]
        assert '<script type="module" src="/js/app.js">' in root.text
        module = await client.get("/js/app.js")
        # revalidated on every load, so an upgrade never mixes old and new modules
        assert module.status_code == 200 and module.headers["cache-control"] == "no-cache"
        assert (await client.get("/js/app.js", headers={"if-none-match": module.headers["etag"]})).status_code == 304
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/openapi.json")).json()["info"]["title"] == "giftflow gateway"
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200
        me = await client.get("/api/me")
        assert me.status_code == 401 and me.json()["error"]["code"] == "unauthorized"
        missing = await client.get("/api/no-such-thing")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
