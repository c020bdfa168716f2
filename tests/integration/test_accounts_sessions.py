"""Refresh tokens: rotated on every use, revoked at logout, a stolen copy ends the whole session."""

import uuid

from tests.integration.accounts import PASSWORD, log_in, sign_up


async def refresh(client, token: str | None):
    return await client.post("/api/auth/refresh", json={"refresh_token": token} if token else None)


async def test_a_refresh_answers_new_tokens_and_the_old_refresh_token_stops_working(gateway_client):
    account = await sign_up(gateway_client)
    response = await refresh(gateway_client, account.refresh_token)
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["refresh_token"] != account.refresh_token
    assert rotated["user"]["id"] == account.user_id
    me = await gateway_client.get(
        "/api/me", headers={"Authorization": f"Bearer {rotated['access_token']}"}
    )
    assert me.status_code == 200

    again = await refresh(gateway_client, account.refresh_token)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "unauthorized"
    # a race between two tabs, within moments: the newer token keeps working
    assert (await refresh(gateway_client, rotated["refresh_token"])).status_code == 200


async def test_a_rotated_token_used_again_later_ends_the_whole_session(gateway_client, admin_db):
    account = await sign_up(gateway_client)
    rotated = (await refresh(gateway_client, account.refresh_token)).json()["refresh_token"]
    await admin_db.execute(
        "UPDATE gateway.refresh_token SET revoked_at = revoked_at - interval '1 hour' "
        "WHERE user_id = $1 AND revoked_at IS NOT NULL",
        uuid.UUID(account.user_id),
    )

    assert (
        await refresh(gateway_client, account.refresh_token)
    ).status_code == 401  # the thief, or the victim
    assert (
        await refresh(gateway_client, rotated)
    ).status_code == 401  # so nobody keeps the session


async def test_another_login_of_the_same_user_is_a_separate_session(gateway_client):
    account = await sign_up(gateway_client)
    laptop = await log_in(gateway_client, account)
    await gateway_client.post("/api/auth/logout", json={"refresh_token": account.refresh_token})
    assert (await refresh(gateway_client, laptop.refresh_token)).status_code == 200


async def test_the_refresh_cookie_works_like_the_body(gateway_client):
    account = await sign_up(gateway_client)
    response = await gateway_client.post(
        "/api/auth/refresh", headers={"Cookie": f"gf_refresh={account.refresh_token}"}
    )
    assert response.status_code == 200
    assert {c.split("=", 1)[0] for c in response.headers.get_list("set-cookie")} == {
        "gf_access",
        "gf_refresh",
    }
    gateway_client.cookies.clear()


async def test_an_expired_or_unknown_refresh_token_is_401(gateway_client, admin_db):
    account = await sign_up(gateway_client)
    await admin_db.execute(
        "UPDATE gateway.refresh_token SET expires_at = now() - interval '1 second' "
        "WHERE user_id = $1",
        uuid.UUID(account.user_id),
    )
    for token in (account.refresh_token, "made-up", None):
        gateway_client.cookies.clear()
        assert (await refresh(gateway_client, token)).status_code == 401, token


async def test_refresh_tokens_are_stored_only_as_hashes(gateway_client, admin_db):
    account = await sign_up(gateway_client)
    stored = await admin_db.fetch(
        "SELECT token_hash FROM gateway.refresh_token WHERE user_id = $1",
        uuid.UUID(account.user_id),
    )
    assert len(stored) == 1 and stored[0]["token_hash"] != account.refresh_token


async def test_logout_revokes_the_refresh_token_and_clears_the_cookies(gateway_client):
    account = await sign_up(gateway_client)
    response = await gateway_client.post(
        "/api/auth/logout", json={"refresh_token": account.refresh_token}
    )
    assert response.status_code == 204
    cleared = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    assert set(cleared) == {"gf_access", "gf_refresh"}
    assert all("max-age=0" in c for c in cleared.values())
    assert (await refresh(gateway_client, account.refresh_token)).status_code == 401


async def test_logout_with_the_cookie_or_with_nothing_is_fine(gateway_client):
    account = await sign_up(gateway_client)
    by_cookie = await gateway_client.post(
        "/api/auth/logout", headers={"Cookie": f"gf_refresh={account.refresh_token}"}
    )
    assert by_cookie.status_code == 204
    assert (await refresh(gateway_client, account.refresh_token)).status_code == 401
    gateway_client.cookies.clear()
    assert (await gateway_client.post("/api/auth/logout")).status_code == 204


async def test_after_logout_the_user_can_log_in_again(gateway_client):
    account = await sign_up(gateway_client)
    await gateway_client.post("/api/auth/logout", json={"refresh_token": account.refresh_token})
    response = await gateway_client.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    gateway_client.cookies.clear()
