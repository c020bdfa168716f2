"""Login throttling through the real gateway app and Postgres (the rules: services/gateway/throttle.py):
guessers are slowed and stopped, and nobody elsewhere can lock the owner out of their own browser or
address. Counted in the database, so the limits hold across gateway replicas."""

import uuid
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.integration.accounts import PASSWORD, unique_email


@pytest.fixture
async def gateway_at(service_url):
    """A browser (its own cookie jar) at address `ip`, on a gateway replica with `settings`; replicas
    with the same settings are one app, so many addresses cost little."""
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    apps = {}

    @asynccontextmanager
    async def open_gateway(ip: str, **settings):
        settings.setdefault("login_backoff_base_s", 0)  # each test turns on the rules it is about
        key = repr(sorted(settings.items()))
        if key not in apps:
            apps[key] = create_app(
                Settings(database_url=service_url("gateway"), db_pool_size=2, **settings)
            )
        transport = httpx.ASGITransport(app=apps[key], client=(ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client

    yield open_gateway
    for app in apps.values():
        await app.state.engine.dispose()


def an_ip() -> str:
    """A made-up client address, unique to the test (requests are in-process: nothing is sent to it)."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


async def sign_up(client: httpx.AsyncClient, name: str = "Ann") -> str:
    """A new account, signed up in this client (which keeps its cookies: the browser is now familiar)."""
    email = unique_email(name)
    response = await client.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "display_name": name}
    )
    assert response.status_code == 201, response.text
    return email


async def log_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **kwargs
) -> httpx.Response:
    return await client.post(
        "/api/auth/login", json={"email": email, "password": password}, **kwargs
    )


async def fail_login(client: httpx.AsyncClient, email: str, **kwargs) -> httpx.Response:
    response = await log_in(client, email, "wrong password", **kwargs)
    assert response.status_code in (401, 429), response.text
    return response


async def lock_from_many_addresses(gateway_at, email: str, **settings) -> None:
    """What a guesser with a botnet does: one failure from each of many addresses, until refused."""
    for _ in range(40):
        async with gateway_at(an_ip(), **settings) as attacker:
            if (await fail_login(attacker, email)).status_code == 429:
                return
    raise AssertionError("the account was never throttled for unfamiliar clients")


async def test_a_guesser_elsewhere_cannot_lock_the_owner_out_of_their_browser(gateway_at):
    home = an_ip()
    async with gateway_at(home) as browser:
        email = await sign_up(browser)
        await lock_from_many_addresses(gateway_at, email)
        response = await log_in(browser, email)
        assert response.status_code == 200, response.text


async def test_a_familiar_browser_is_trusted_from_a_new_address_too(gateway_at):
    async with gateway_at(an_ip()) as browser:
        email = await sign_up(browser)
    await lock_from_many_addresses(gateway_at, email)
    async with gateway_at(an_ip()) as travelling:  # the same browser, on a café's network
        travelling.cookies = browser.cookies
        assert (await log_in(travelling, email)).status_code == 200


async def test_a_guesser_elsewhere_cannot_lock_the_owner_out_at_an_address_they_signed_in_from(
    gateway_at,
):
    home = an_ip()
    async with gateway_at(home) as browser:
        email = await sign_up(browser)
    await lock_from_many_addresses(gateway_at, email)
    async with gateway_at(home) as new_browser:  # no device cookie: a new phone on the home network
        assert (await log_in(new_browser, email)).status_code == 200


async def test_once_guessed_at_from_many_addresses_unfamiliar_clients_must_wait_even_with_the_password(
    gateway_at,
):
    async with gateway_at(an_ip()) as browser:
        email = await sign_up(browser)
    await lock_from_many_addresses(gateway_at, email)
    async with gateway_at(an_ip()) as stranger:
        response = await log_in(stranger, email)
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 15 * 60
    error = response.json()["error"]
    assert error["code"] == "too_many_requests"
    assert "log in from a browser or network you have used before" in error["message"]
    assert error["details"] == {"retry_after_s": int(response.headers["retry-after"])}


async def test_the_account_limit_counts_failures_across_gateway_replicas(gateway_at):
    async with (
        gateway_at(an_ip(), login_max_failures_per_email=4) as one,
        gateway_at(an_ip(), login_max_failures_per_email=4) as other,
    ):
        email = unique_email()
        for replica in (one, other, one, other):
            assert (await fail_login(replica, email)).status_code == 401
        assert (await fail_login(other, email)).status_code == 429
        assert (await fail_login(one, email)).status_code == 429


async def test_failures_of_one_account_from_one_address_back_off(gateway_at):
    async with gateway_at(an_ip(), login_backoff_base_s=600) as client:
        email = await sign_up(client)
        other = await sign_up(client, "Ben")
        client.cookies.clear()  # no familiar browser: the rules for everyone else
        for _ in range(3):  # typos cost nothing
            assert (await fail_login(client, email)).status_code == 401
        response = await log_in(client, email)
        assert response.status_code == 429
        assert 0 < int(response.headers["retry-after"]) <= 600
        assert "Too many failed logins" in response.json()["error"]["message"]
        # another account from the same address is not slowed down
        assert (await log_in(client, other)).status_code == 200


async def test_many_failures_from_one_address_throttle_it_for_every_email(gateway_at):
    ip = an_ip()
    async with gateway_at(ip, login_max_failures_per_ip=3) as client:
        email = await sign_up(client)
        client.cookies.clear()
        for _ in range(3):
            assert (await fail_login(client, unique_email())).status_code == 401
        response = await log_in(client, email)
        assert (
            response.status_code == 429
            and "from your network" in response.json()["error"]["message"]
        )
    async with gateway_at(an_ip(), login_max_failures_per_ip=3) as elsewhere:
        assert (await log_in(elsewhere, email)).status_code == 200


async def test_x_forwarded_for_from_a_client_that_is_no_trusted_proxy_is_ignored(gateway_at):
    async with gateway_at(an_ip(), login_max_failures_per_ip=3) as client:
        for _ in range(3):
            spoofed = {
                "X-Forwarded-For": an_ip()
            }  # a new address each time, as a guesser would claim
            assert (await fail_login(client, unique_email(), headers=spoofed)).status_code == 401
        response = await fail_login(client, unique_email(), headers={"X-Forwarded-For": an_ip()})
        assert response.status_code == 429


async def test_behind_a_trusted_proxy_the_address_it_saw_is_throttled_not_the_proxys(gateway_at):
    proxy, guesser, neighbour = an_ip(), an_ip(), an_ip()
    async with gateway_at(proxy, login_max_failures_per_ip=3, trusted_proxies=[proxy]) as ingress:
        for _ in range(3):  # what the guesser writes in front of the proxy's entry is not believed
            forwarded = {"X-Forwarded-For": f"{an_ip()}, {guesser}"}
            assert (await fail_login(ingress, unique_email(), headers=forwarded)).status_code == 401
        blocked = await fail_login(
            ingress, unique_email(), headers={"X-Forwarded-For": f"{an_ip()}, {guesser}"}
        )
        assert blocked.status_code == 429
        other = await fail_login(ingress, unique_email(), headers={"X-Forwarded-For": neighbour})
        assert other.status_code == 401


async def test_a_familiar_browser_that_fails_too_often_itself_loses_its_trust(gateway_at):
    async with gateway_at(an_ip(), login_max_failures_per_device=3) as browser:
        email = await sign_up(browser)
    await lock_from_many_addresses(gateway_at, email, login_max_failures_per_device=3)
    async with gateway_at(an_ip(), login_max_failures_per_device=3) as travelling:
        travelling.cookies = browser.cookies
        for _ in range(3):
            assert (await fail_login(travelling, email)).status_code == 401
        # now an unfamiliar browser at an unfamiliar address, and the account is under attack
        assert (await log_in(travelling, email)).status_code == 429


async def test_a_device_cookie_of_another_account_earns_no_trust(gateway_at):
    async with gateway_at(an_ip()) as victims:
        email = await sign_up(victims)
    await lock_from_many_addresses(gateway_at, email)
    async with gateway_at(an_ip()) as attackers:
        await sign_up(
            attackers, "Mallory"
        )  # a genuine device cookie, for the attacker's own account
        assert (await log_in(attackers, email)).status_code == 429


async def test_a_successful_login_forgives_only_the_failures_of_its_own_address(gateway_at):
    async with gateway_at(an_ip(), login_max_failures_per_email=6) as owner:
        email = await sign_up(owner)
        owner.cookies.clear()
        async with gateway_at(an_ip(), login_max_failures_per_email=6) as guesser:
            for _ in range(3):
                await fail_login(guesser, email)
            for _ in range(2):
                await fail_login(owner, email)
            assert (await log_in(owner, email)).status_code == 200  # the owner's typos are forgiven
            for _ in range(3):  # ...the guesser's 3 are not: 6 in all
                assert (await fail_login(guesser, email)).status_code == 401
            assert (await fail_login(guesser, email)).status_code == 429


async def test_failures_older_than_the_window_no_longer_count(gateway_at, admin_db):
    async with gateway_at(an_ip(), login_max_failures_per_email=3) as client:
        email = await sign_up(client)
        client.cookies.clear()
        await lock_from_many_addresses(gateway_at, email, login_max_failures_per_email=3)
        await admin_db.execute(
            "UPDATE gateway.login_attempt SET attempted_at = attempted_at - interval '16 minutes' "
            "WHERE email = $1",
            email,
        )
        async with gateway_at(an_ip(), login_max_failures_per_email=3) as stranger:
            assert (await log_in(stranger, email)).status_code == 200


async def test_throttled_attempts_are_not_counted_so_the_wait_does_not_grow(gateway_at, admin_db):
    async with gateway_at(an_ip(), login_max_failures_per_email=5) as client:
        email = unique_email()
        for _ in range(8):
            await fail_login(client, email)
        assert (
            await admin_db.fetchval(
                "SELECT count(*) FROM gateway.login_attempt WHERE email = $1", email
            )
            == 5
        )


async def test_unknown_and_known_emails_are_throttled_alike(gateway_at):
    async with gateway_at(an_ip(), login_max_failures_per_email=3) as owner:
        known = await sign_up(owner)
    async with gateway_at(an_ip(), login_max_failures_per_email=3) as prober:
        unknown = unique_email()
        answers = {}
        for email in (known, unknown):
            answers[email] = [
                (r.status_code, r.json()["error"]["message"])
                for r in [await fail_login(prober, email) for _ in range(4)]
            ]
        assert answers[known] == answers[unknown]
        assert [status for status, _ in answers[known]] == [401, 401, 401, 429]


async def test_sign_ups_with_taken_emails_count_as_failures_of_the_address(gateway_at):
    async with gateway_at(an_ip()) as owner:
        taken = [await sign_up(owner) for _ in range(2)]
    async with gateway_at(an_ip(), login_max_failures_per_ip=2) as prober:
        for email in taken:
            response = await prober.post(
                "/api/auth/signup",
                json={"email": email, "password": PASSWORD, "display_name": "Eve"},
            )
            assert response.status_code == 409
        response = await prober.post(
            "/api/auth/signup",
            json={"email": unique_email(), "password": PASSWORD, "display_name": "Eve"},
        )
        assert (
            response.status_code == 429
            and "from your network" in response.json()["error"]["message"]
        )
