"""Cross-site request forgery (shared/origin.py), through the real gateway and notification apps on a
real Postgres. Every state-changing route is taken from the app's OpenAPI document, so a new route is
covered without a new test."""

import re
import uuid

import httpx
import pytest

from services.notification.config import Settings as NotificationSettings
from services.notification.main import create_app as create_notification_app
from shared.origin import CODE
from tests.integration.accounts import new_household, sign_up
from tests.integration.test_notification_fanout import SECRET, Family, new_family, token_for

CHANGING = ("post", "put", "patch", "delete")
# what a page on another site makes a browser send, with the browser's own cookies
FORGERIES = [
    {"Origin": "https://evil.example"},
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://family.gateway.test", "Sec-Fetch-Site": "same-site"},
    {"Origin": "null"},
]
# our own pages: a current browser, an older one without Fetch Metadata
OWN_PAGES = [
    {"Origin": "http://gateway.test", "Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://gateway.test"},
]


def changing_routes(app) -> list[tuple[str, str]]:
    routes = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method in CHANGING
    ]
    assert routes, "no state-changing route found in the OpenAPI document"
    return routes


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    cookie: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One request with exactly these credentials: the client's own cookie jar is left out of it."""
    client.cookies.clear()
    headers = {**(headers or {}), **({"Cookie": f"gf_access={cookie}"} if cookie else {})}
    body = {} if method != "DELETE" else None
    response = await client.request(method, path, headers=headers, json=body)
    client.cookies.clear()
    return response


def refused(response: httpx.Response) -> bool:
    return response.status_code == 403 and response.json()["error"]["code"] == CODE


@pytest.fixture
async def gateway(service_url):
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    app = create_app(Settings(database_url=service_url("gateway"), db_pool_size=5))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://gateway.test",
    ) as client:
        client.app = app
        yield client
    await app.state.engine.dispose()


@pytest.fixture
async def notification(service_url):
    app = create_notification_app(
        NotificationSettings(
            database_url=service_url("notification"), db_pool_size=5, jwt_secret=SECRET
        )
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://gateway.test",
    ) as client:  # as the browser addressed it
        client.app = app
        yield client
    await app.state.engine.dispose()


async def test_every_gateway_change_signed_by_the_cookie_from_another_site_is_refused(gateway):
    account = await sign_up(gateway)
    let_through = [
        (method, path, forged)
        for method, path in changing_routes(gateway.app)
        for forged in FORGERIES
        if not refused(await send(gateway, method, concrete(path), account.access_token, forged))
    ]
    assert let_through == []


async def test_the_refusal_is_a_403_in_the_error_envelope_a_person_can_act_on(gateway):
    account = await sign_up(gateway)
    response = await send(gateway, "POST", "/api/households", account.access_token, FORGERIES[0])
    assert response.status_code == 403
    error = response.json()["error"]
    assert (
        error["code"] == CODE
        and "another website" in error["message"]
        and "open giftflow" in error["message"]
    )


async def test_changes_from_our_own_pages_and_with_a_bearer_token_are_not_refused(gateway):
    account = await sign_up(gateway)
    bearer = {"Authorization": f"Bearer {account.access_token}", **FORGERIES[1]}
    for method, path in changing_routes(gateway.app):
        for own in OWN_PAGES:
            response = await send(gateway, method, concrete(path), account.access_token, own)
            assert not refused(response), (method, path, own)
        assert not refused(await send(gateway, method, concrete(path), headers=bearer)), (
            method,
            path,
        )


async def test_a_forged_household_task_completion_and_deletion_change_nothing(gateway):
    """What the review did: with only the cookie and another site's Origin, create, complete, delete."""
    account = await sign_up(gateway)
    household_id = await new_household(gateway, account)
    hh = f"/api/households/{household_id}"
    task = (
        await gateway.post(f"{hh}/tasks", json={"title": "Order the cake"}, headers=account.headers)
    ).json()
    evil, cookie = FORGERIES[0], account.access_token

    assert refused(await send(gateway, "POST", "/api/households", cookie, evil))
    assert refused(await send(gateway, "POST", f"{hh}/tasks/{task['id']}/complete", cookie, evil))
    assert refused(await send(gateway, "DELETE", f"{hh}/tasks/{task['id']}", cookie, evil))

    me = (await gateway.get("/api/me", headers=account.headers)).json()
    assert [h["id"] for h in me["households"]] == [household_id]
    still = await gateway.get(f"{hh}/tasks/{task['id']}", headers=account.headers)
    assert still.status_code == 200 and still.json()["completed_at"] is None

    # the same from the family's own page works
    own = OWN_PAGES[0]
    assert (
        await send(gateway, "POST", f"{hh}/tasks/{task['id']}/complete", cookie, own)
    ).status_code == 200
    assert (
        await send(gateway, "DELETE", f"{hh}/tasks/{task['id']}", cookie, own)
    ).status_code == 204


async def test_the_gateway_refuses_forged_changes_it_would_pass_on_to_the_notification_service(
    gateway, notification
):
    account = await sign_up(gateway)
    for method, path in changing_routes(notification.app):
        response = await send(gateway, method, concrete(path), account.access_token, FORGERIES[0])
        assert refused(response), (method, path, response.status_code)


async def test_every_notification_change_signed_by_the_cookie_from_another_site_is_refused(
    notification,
):
    cookie = token_for(uuid.uuid4())
    let_through = [
        (method, path, forged)
        for method, path in changing_routes(notification.app)
        for forged in FORGERIES
        if not refused(await send(notification, method, concrete(path), cookie, forged))
    ]
    assert let_through == []


async def test_a_forged_mark_all_read_leaves_the_notifications_unread(notification, sessions_for):
    family: Family = await new_family(sessions_for("notification"))
    await family.deliver(family.gift(family.ann, "Lego castle"))
    base = f"/api/households/{family.household_id}/notifications"
    ben = token_for(family.ben)

    assert refused(await send(notification, "POST", f"{base}/read-all", ben, FORGERIES[1]))
    unread = await send(notification, "GET", f"{base}/unread-count", ben)
    assert unread.json()["unread"] == 1

    marked = await send(notification, "POST", f"{base}/read-all", ben, OWN_PAGES[0])
    assert marked.status_code == 200 and marked.json()["marked"] == 1
    assert not refused(
        await send(
            notification,
            "POST",
            f"{base}/read-all",
            headers={"Authorization": f"Bearer {ben}", **FORGERIES[0]},
        )
    )


async def test_the_notification_service_believes_the_host_a_proxy_forwards_only_from_a_trusted_proxy(
    service_url,
):
    """Behind the gateway the Host is the service's own; X-Forwarded-Host says what the browser asked for,
    and only the proxies in TRUSTED_PROXIES may say it."""
    forged = {"Origin": "https://evil.example", "X-Forwarded-Host": "giftflow.example"}
    proxied = {"Origin": "https://giftflow.example", "X-Forwarded-Host": "giftflow.example"}
    path = f"/api/households/{uuid.uuid4()}/notifications/read-all"
    cookie = token_for(uuid.uuid4())
    for trusted, expected in (
        ([], {"forged": True, "proxied": True}),
        (["127.0.0.1"], {"forged": True, "proxied": False}),
    ):
        app = create_notification_app(
            NotificationSettings(
                database_url=service_url("notification"),
                db_pool_size=1,
                jwt_secret=SECRET,
                trusted_proxies=trusted,
            )
        )
        transport = httpx.ASGITransport(
            app=app, client=("127.0.0.1", 40000), raise_app_exceptions=False
        )
        async with httpx.AsyncClient(
            transport=transport, base_url="http://notification:8001"
        ) as client:
            answers = {
                "forged": refused(await send(client, "POST", path, cookie, forged)),
                "proxied": refused(await send(client, "POST", path, cookie, proxied)),
            }
        await app.state.engine.dispose()
        assert answers == expected, trusted
