"""The gateway forgets failed logins once the throttle no longer counts them, and refresh tokens and
invitations a while after they expired; nothing still in use goes."""

import uuid
from datetime import timedelta

from services.gateway.retention import account_retention
from tests.integration.accounts import invite, log_in, new_household, sign_up

WINDOW = timedelta(minutes=15)
EXPIRED_FOR = timedelta(days=30)


async def failed_login(admin_db, ago: timedelta) -> str:
    email = f"guess-{uuid.uuid4().hex[:12]}@example.com"
    await admin_db.execute(
        "INSERT INTO gateway.login_attempt (email, client_ip, attempted_at) "
        "VALUES ($1, '203.0.113.7', now() - $2::interval)",
        email,
        ago,
    )
    return email


async def expire(admin_db, table: str, row_id: uuid.UUID, ago: timedelta) -> None:
    await admin_db.execute(
        f"UPDATE gateway.{table} SET expires_at = now() - $2::interval WHERE id = $1", row_id, ago
    )


async def test_out_of_window_logins_and_long_expired_tokens_and_invitations_go_the_rest_stay(
    gateway_client, engine_for, admin_db
):
    ann = await sign_up(gateway_client, name="Ann")
    for _ in range(2):
        latest = await log_in(gateway_client, ann)
    tokens = [
        r["id"]
        for r in await admin_db.fetch(
            "SELECT id FROM gateway.refresh_token WHERE user_id = $1 ORDER BY created_at",
            uuid.UUID(ann.user_id),
        )
    ]
    household_id = await new_household(gateway_client, ann)
    for _ in range(3):
        await invite(gateway_client, household_id, ann)
    invitations = [
        r["id"]
        for r in await admin_db.fetch(
            "SELECT id FROM gateway.invitation WHERE household_id = $1 ORDER BY created_at",
            uuid.UUID(household_id),
        )
    ]
    assert len(tokens) == 3 and len(invitations) == 3
    for table, (long_expired, lately_expired, _live) in (
        ("refresh_token", tokens),
        ("invitation", invitations),
    ):
        await expire(admin_db, table, long_expired, EXPIRED_FOR + timedelta(days=1))
        await expire(admin_db, table, lately_expired, EXPIRED_FOR - timedelta(days=1))
    out_of_window = [await failed_login(admin_db, WINDOW + timedelta(minutes=m)) for m in (1, 60)]
    in_window = await failed_login(admin_db, WINDOW - timedelta(minutes=1))
    pruner = account_retention(engine_for("gateway"), WINDOW, EXPIRED_FOR, 3600, batch_size=1)

    rounds = [await pruner.run_once()]
    while rounds[-1]:
        rounds.append(await pruner.run_once())

    assert rounds[0] is True  # a full batch: it goes again at once rather than sleeping
    left_tokens = await admin_db.fetch(
        "SELECT id FROM gateway.refresh_token WHERE id = ANY($1)", tokens
    )
    assert {r["id"] for r in left_tokens} == set(tokens[1:])
    left_invitations = await admin_db.fetch(
        "SELECT id FROM gateway.invitation WHERE id = ANY($1)", invitations
    )
    assert {r["id"] for r in left_invitations} == set(invitations[1:])
    left_logins = await admin_db.fetch(
        "SELECT email FROM gateway.login_attempt WHERE email = ANY($1)",
        [*out_of_window, in_window],
    )
    assert [r["email"] for r in left_logins] == [in_window]
    # the live refresh token (the latest sign-in's) still works
    refreshed = await gateway_client.post(
        "/api/auth/refresh", json={"refresh_token": latest.refresh_token}
    )
    assert refreshed.status_code == 200, refreshed.text


async def test_long_expired_reset_links_and_long_revoked_feeds_go_the_rest_stay(
    gateway_client, engine_for, admin_db
):
    ann = await sign_up(gateway_client, name="Ann")
    household_id = await new_household(gateway_client, ann)
    # rows as "Forgot password" writes them (through the API a third request would meet the throttle
    # other tests share)
    resets = [uuid.uuid4() for _ in range(3)]
    for reset in resets:
        await admin_db.execute(
            "INSERT INTO gateway.password_reset (id, email, client_ip, requested_at, expires_at) "
            "VALUES ($1, $2, '203.0.113.7', now(), now() + interval '30 minutes')",
            reset,
            ann.email,
        )
    feeds_path = f"/api/households/{household_id}/calendar-feeds"
    feeds = []
    for name in ("long revoked", "lately revoked", "live"):
        made = await gateway_client.post(feeds_path, json={"name": name}, headers=ann.headers)
        assert made.status_code == 201, made.text
        feeds.append(uuid.UUID(made.json()["id"]))
    for feed in feeds[:2]:
        gone = await gateway_client.delete(f"{feeds_path}/{feed}", headers=ann.headers)
        assert gone.status_code == 204, gone.text
    await expire(admin_db, "password_reset", resets[0], EXPIRED_FOR + timedelta(days=1))
    await expire(admin_db, "password_reset", resets[1], EXPIRED_FOR - timedelta(days=1))
    revoked_ago = (EXPIRED_FOR + timedelta(days=1), EXPIRED_FOR - timedelta(days=1))
    for feed, ago in zip(feeds[:2], revoked_ago, strict=True):
        await admin_db.execute(
            "UPDATE gateway.calendar_feed SET revoked_at = now() - $2::interval WHERE id = $1",
            feed,
            ago,
        )
    pruner = account_retention(engine_for("gateway"), WINDOW, EXPIRED_FOR, 3600)

    await pruner.run_once()

    left_resets = await admin_db.fetch(
        "SELECT id FROM gateway.password_reset WHERE id = ANY($1)", resets
    )
    assert {r["id"] for r in left_resets} == set(resets[1:])
    left_feeds = await admin_db.fetch(
        "SELECT id FROM gateway.calendar_feed WHERE id = ANY($1)", feeds
    )
    assert {r["id"] for r in left_feeds} == set(feeds[1:])
    listed = await gateway_client.get(feeds_path, headers=ann.headers)
    assert [f["id"] for f in listed.json()] == [str(feeds[2])]
