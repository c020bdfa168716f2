"""The gateway's proxy in-process, on a real Postgres: what it sends upstream is the route's template
filled in with the household's and the notification's UUIDs, and only for a member of the household;
a crafted path is not found and sends nothing at all.

Both upstream clients (the notification service's, and the sidecar's the audit route goes through)
record every request they start; their address refuses connections, so a request that is sent is
answered 503 and nothing else has to run.
"""

import socket
import uuid
from urllib.parse import unquote

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.config import Settings
from services.gateway.main import create_app
from services.gateway.routes.proxy import ROUTES, notification_client
from tests.integration.accounts import new_household, sign_up
from tests.traversal import concrete, corpus

# the routes only members may reach (a public one, the mails' unsubscribe, carries its own signed token
# and is passed on with nobody signed in: tests/unit/test_proxy_routes.py)
MEMBERS_ONLY = [r for r in ROUTES if not r.public]


@pytest.fixture
async def proxy(service_url):
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))  # bound but never listening: every connection is refused
        address = f"http://127.0.0.1:{refusing.getsockname()[1]}"
        app = create_app(
            Settings(
                database_url=service_url("gateway"),
                db_pool_size=5,
                notification_url=address,
                dapr_http_endpoint=address,
            )
        )
        sent: list[httpx.Request] = []

        async def record(request: httpx.Request) -> None:
            sent.append(request)

        for client in (notification_client(app), app.state.dapr.http):
            client.event_hooks["request"].append(record)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway.test"
        ) as gateway:
            yield app, gateway, sent
        await notification_client(app).aclose()
        await app.state.engine.dispose()


async def send_raw(
    app: FastAPI, method: str, raw_path: str, headers: dict[str, str]
) -> tuple[int, bytes]:
    """`raw_path` to the app exactly as a server would hand it over (decoded once, dots kept)."""
    path, _, query = raw_path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "http",
        "method": method,
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("gateway.test", 80),
    }
    answer: dict = {"body": b""}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


async def test_a_members_request_goes_to_the_route_template_filled_in_with_uuids(proxy):
    app, gateway, sent = proxy
    ann = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, ann)
    notification_id = str(uuid.uuid4())

    for route in ROUTES:
        path = concrete(
            f"/api{route.route}", household_id=household_id.upper(), notification_id=notification_id
        )
        sent.clear()
        response = await gateway.request(
            route.methods[0], path, params={"limit": "5"}, headers=ann.headers
        )
        assert response.status_code == 503, (
            path,
            response.text,
        )  # sent, and the upstream refused it
        [request] = sent
        expected = concrete(
            f"{route.upstream.base}/api{route.path}",
            household_id=household_id,
            notification_id=notification_id,
        )
        assert request.url.raw_path == f"{expected}?limit=5".encode()
        assert request.method == route.methods[0]
        assert (
            request.headers["authorization"] == ann.headers["Authorization"]
        )  # the service checks it again


async def test_nothing_is_sent_for_a_caller_who_is_not_signed_in_or_not_a_member(proxy):
    _, gateway, sent = proxy
    ann = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, ann)
    stranger = await sign_up(gateway, name="Stranger")
    for route in MEMBERS_ONLY:
        path = concrete(
            f"/api{route.route}", household_id=household_id, notification_id=str(uuid.uuid4())
        )
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer not-a-token"}, 401),
            (stranger.headers, 404),
        ):
            response = await gateway.request(route.methods[0], path, headers=headers)
            assert response.status_code == status, (path, response.text)
            assert (
                response.json()["error"]["code"] == {401: "unauthorized", 404: "not_found"}[status]
            )
    assert sent == []


async def test_a_parameter_that_is_not_a_uuid_matches_no_route_and_nothing_is_sent(proxy):
    _, gateway, sent = proxy
    ann = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, ann)
    for route in MEMBERS_ONLY:
        for bad in ("x", "1", household_id + "0", household_id[:-1], f"{household_id};x=y"):
            path = concrete(f"/api{route.route}", household_id=bad, notification_id=bad)
            for method in route.methods:
                response = await gateway.request(method, path, headers=ann.headers)
                # no API route takes the path, whatever the method
                assert response.status_code == 404, (method, path, response.text)
    assert sent == []


async def test_traversal_paths_are_not_found_and_nothing_is_sent(proxy):
    app, gateway, sent = proxy
    ann = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, ann)
    for route in ROUTES:
        prefix = concrete(
            f"/api{route.route}", household_id=household_id, notification_id=str(uuid.uuid4())
        )
        for raw_path in corpus(prefix):
            for method in route.methods:
                status, body = await send_raw(app, method, raw_path, ann.headers)
                assert status == 404, (method, raw_path, body)
                assert b'"not_found"' in body, (raw_path, body)
    assert sent == []
