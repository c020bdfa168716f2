"""The join page's look-up: an invitation code names the household it leads to and who sent it, to
whoever holds it, before they sign in; and nothing else, to nobody else."""

import uuid

import httpx
import pytest

from tests.integration.accounts import invite, join, new_household, sign_up
from tests.integration.test_accounts_throttle import an_ip


@pytest.fixture
async def stranger(service_url):
    """A browser that is signed in to nothing, at an address of its own (the look-ups it gets wrong
    count against its address only)."""
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    app = create_app(
        Settings(database_url=service_url("gateway"), db_pool_size=2, login_backoff_base_s=0)
    )
    transport = httpx.ASGITransport(app=app, client=(an_ip(), 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client
    await app.state.engine.dispose()


async def preview(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post("/api/invitations/preview", json={"code": code})


async def test_a_code_names_only_the_household_and_who_invited(gateway_client, stranger):
    ann = await sign_up(gateway_client, name="Ann Miller")
    household_id = await new_household(gateway_client, ann, "The Millers")
    code = await invite(gateway_client, household_id, ann, role="child")
    for typed in (code, code.lower().replace("-", " ")):
        response = await preview(stranger, typed)
        assert response.status_code == 200, response.text
        assert response.json() == {"household_name": "The Millers", "invited_by": "Ann Miller"}


async def test_unknown_used_expired_and_revoked_codes_say_so(gateway_client, stranger, admin_db):
    ann = await sign_up(gateway_client)
    household_id = await new_household(gateway_client, ann)

    unknown = await preview(stranger, "ZZZZ-ZZZZ")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    assert "typos" in unknown.json()["error"]["message"]

    used = await invite(gateway_client, household_id, ann)
    assert (await join(gateway_client, await sign_up(gateway_client, name="Ben"), used)).is_success
    gone = await preview(stranger, used)
    assert gone.status_code == 410 and gone.json()["error"]["details"] == {"reason": "used"}
    assert "Smiths" not in gone.text

    expired = await invite(gateway_client, household_id, ann)
    await admin_db.execute(
        "UPDATE gateway.invitation SET expires_at = now() - interval '1 minute' "
        "WHERE household_id = $1 AND accepted_at IS NULL",
        uuid.UUID(household_id),
    )
    gone = await preview(stranger, expired)
    assert gone.status_code == 410 and gone.json()["error"]["details"] == {"reason": "expired"}

    revoked = await gateway_client.post(
        f"/api/households/{household_id}/invitations", json={}, headers=ann.headers
    )
    await gateway_client.delete(
        f"/api/households/{household_id}/invitations/{revoked.json()['id']}", headers=ann.headers
    )
    assert (await preview(stranger, revoked.json()["code"])).status_code == 404


async def test_guessing_codes_from_one_address_is_slowed_down_but_not_elsewhere(
    gateway_client, service_url
):
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    ann = await sign_up(gateway_client)
    code = await invite(gateway_client, await new_household(gateway_client, ann), ann)
    app = create_app(
        Settings(database_url=service_url("gateway"), db_pool_size=2, login_max_failures_per_ip=5)
    )
    guesser, elsewhere = an_ip(), an_ip()
    try:
        for ip, expected in ((guesser, [404] * 3 + [429] * 3), (elsewhere, [404])):
            transport = httpx.ASGITransport(app=app, client=(ip, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                answers = [
                    (await preview(client, f"QQQQ-{n:04d}")).status_code
                    for n in range(len(expected))
                ]
                assert answers == expected, ip
                if ip == guesser:  # throttled: even a right code waits, and says for how long
                    held = await preview(client, code)
                    assert held.status_code == 429 and int(held.headers["Retry-After"]) > 0
    finally:
        await app.state.engine.dispose()


async def test_guessing_by_joining_is_slowed_too_but_signing_in_is_not(gateway_client, service_url):
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    ann = await sign_up(gateway_client)
    code = await invite(gateway_client, await new_household(gateway_client, ann), ann)
    app = create_app(Settings(database_url=service_url("gateway"), db_pool_size=2))
    transport = httpx.ASGITransport(app=app, client=(an_ip(), 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            guesser = await sign_up(client, name="Guesser")
            answers = [(await join(client, guesser, f"QQQQ-{n:04d}")).status_code for n in range(4)]
            assert answers == [404, 404, 404, 429]
            assert (
                await join(client, guesser, code)
            ).status_code == 429  # even the right one waits
            # unknown codes are a budget of their own: the family at that address still signs in
            assert await sign_up(client, name="Sibling")
    finally:
        await app.state.engine.dispose()
