"""Login throttling: repeated failures per email and per client IP answer 429 with Retry-After,
counted in the database so the limit holds across gateway replicas."""

import uuid
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.integration.accounts import sign_up, unique_email


@pytest.fixture
def gateway_at(service_url):
    """A gateway replica whose requests come from `ip` (the shared client's IP must stay unthrottled)."""

    @asynccontextmanager
    async def open_gateway(ip: str, **settings):
        from services.gateway.config import Settings
        from services.gateway.main import create_app

        app = create_app(Settings(database_url=service_url("gateway"), db_pool_size=2, **settings))
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client
        await app.state.engine.dispose()

    return open_gateway


def an_ip() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


async def fail_login(client: httpx.AsyncClient, email: str) -> httpx.Response:
    response = await client.post("/api/auth/login", json={"email": email, "password": "wrong password"})
    assert response.status_code in (401, 429)
    return response


async def test_five_failures_for_one_email_throttle_it_even_with_the_right_password(gateway_at):
    async with gateway_at(an_ip()) as client:
        account = await sign_up(client)
        for _ in range(5):
            assert (await fail_login(client, account.email)).status_code == 401
        response = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
        assert response.status_code == 429
        assert 0 < int(response.headers["retry-after"]) <= 15 * 60
        error = response.json()["error"]
        assert error["code"] == "too_many_requests"
        assert "Too many failed logins" in error["message"] and "minutes" in error["message"]
        assert error["details"] == {"retry_after_s": int(response.headers["retry-after"])}

        other = await sign_up(client)  # another email from the same address is not affected
        assert (await client.post("/api/auth/login", json={"email": other.email, "password": other.password})
                ).status_code == 200


async def test_the_email_limit_counts_failures_across_gateway_replicas(gateway_at):
    async with gateway_at(an_ip()) as one, gateway_at(an_ip()) as other:
        account = await sign_up(one)
        for replica in (one, other, one, other, one):
            assert (await fail_login(replica, account.email)).status_code == 401
        assert (await fail_login(other, account.email)).status_code == 429


async def test_many_failures_from_one_address_throttle_it_for_every_email(gateway_at):
    ip = an_ip()
    async with gateway_at(ip, login_max_failures_per_ip=3) as client:
        account = await sign_up(client)
        for _ in range(3):
            assert (await fail_login(client, unique_email())).status_code == 401
        response = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
        assert response.status_code == 429 and "retry-after" in response.headers
    async with gateway_at(an_ip(), login_max_failures_per_ip=3) as elsewhere:
        response = await elsewhere.post("/api/auth/login", json={"email": account.email, "password": account.password})
        assert response.status_code == 200


async def test_a_successful_login_forgives_earlier_failures_of_that_email(gateway_at):
    async with gateway_at(an_ip()) as client:
        account = await sign_up(client)
        for _ in range(4):
            await fail_login(client, account.email)
        ok = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
        assert ok.status_code == 200
        for _ in range(4):
            assert (await fail_login(client, account.email)).status_code == 401


async def test_failures_older_than_the_window_no_longer_count(gateway_at, admin_db):
    async with gateway_at(an_ip()) as client:
        account = await sign_up(client)
        for _ in range(5):
            await fail_login(client, account.email)
        await admin_db.execute("UPDATE gateway.login_attempt SET attempted_at = attempted_at - interval '16 minutes' "
                               "WHERE email = $1", account.email)
        ok = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
        assert ok.status_code == 200


async def test_throttled_attempts_are_not_counted_so_the_wait_does_not_grow(gateway_at, admin_db):
    async with gateway_at(an_ip()) as client:
        email = unique_email()
        for _ in range(8):
            await fail_login(client, email)
        assert await admin_db.fetchval("SELECT count(*) FROM gateway.login_attempt WHERE email = $1", email) == 5
