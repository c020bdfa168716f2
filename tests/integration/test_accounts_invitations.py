"""Invitations by code: made by admins with a role, used once, expiring, revocable."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

from tests.integration.accounts import family, invite, join, new_household, outbox_events, sign_up


async def test_an_admin_invites_with_a_role_and_gets_a_short_code(gateway_client, admin_db):
    admin = await sign_up(gateway_client)
    household_id = await new_household(gateway_client, admin)
    response = await gateway_client.post(
        f"/api/households/{household_id}/invitations", json={"role": "child"}, headers=admin.headers
    )
    assert response.status_code == 201
    invitation = response.json()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", invitation["code"])
    assert invitation["role"] == "child" and invitation["created_by"] == admin.user_id
    expires_in = datetime.fromisoformat(invitation["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < expires_in <= timedelta(days=7)
    [event] = await outbox_events(admin_db, household_id, "invitation.created")
    assert event["data"]["invitation_id"] == invitation["id"] and event["data"]["role"] == "child"


async def test_a_signed_in_user_joins_with_the_code_however_they_type_it(gateway_client, admin_db):
    admin = await sign_up(gateway_client, name="Ann")
    household_id = await new_household(gateway_client, admin, "Okafor")
    code = await invite(gateway_client, household_id, admin, role="child")
    ben = await sign_up(gateway_client, name="Ben")

    response = await join(gateway_client, ben, f" {code.lower().replace('-', ' ')} ")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["name"], response.json()["role"]) == (
        household_id,
        "Okafor",
        "child",
    )
    [event] = await outbox_events(admin_db, household_id, "member.joined")
    data = event["data"]
    assert (data["user_id"], data["actor_id"], data["role"], data["display_name"]) == (
        ben.user_id,
        ben.user_id,
        "child",
        "Ben",
    )
    me = (await gateway_client.get("/api/me", headers=ben.headers)).json()
    assert [(h["id"], h["role"]) for h in me["households"]] == [(household_id, "child")]


async def test_joining_needs_a_signed_in_user(gateway_client):
    gateway_client.cookies.clear()
    response = await gateway_client.post("/api/invitations/accept", json={"code": "ABCD-EFGH"})
    assert response.status_code == 401


async def test_a_used_code_cannot_be_used_again(gateway_client):
    admin = await sign_up(gateway_client)
    household_id = await new_household(gateway_client, admin)
    code = await invite(gateway_client, household_id, admin)
    assert (await join(gateway_client, await sign_up(gateway_client), code)).status_code == 200
    response = await join(gateway_client, await sign_up(gateway_client), code)
    assert response.status_code == 409
    assert "already been used" in response.json()["error"]["message"]


async def test_an_expired_code_is_refused(gateway_client, admin_db):
    admin = await sign_up(gateway_client)
    household_id = await new_household(gateway_client, admin)
    code = await invite(gateway_client, household_id, admin)
    await admin_db.execute(
        "UPDATE gateway.invitation SET expires_at = now() - interval '1 minute' "
        "WHERE household_id = $1",
        uuid.UUID(household_id),
    )
    response = await join(gateway_client, await sign_up(gateway_client), code)
    assert response.status_code == 410
    assert "expired" in response.json()["error"]["message"]


async def test_an_unknown_code_is_not_found(gateway_client):
    response = await join(gateway_client, await sign_up(gateway_client), "ZZZZ-ZZZZ")
    assert response.status_code == 404
    assert "check it for typos" in response.json()["error"]["message"]


async def test_a_member_cannot_join_again(gateway_client):
    household_id, admin, adult, _ = await family(gateway_client)
    response = await join(gateway_client, adult, await invite(gateway_client, household_id, admin))
    assert response.status_code == 409
    assert "already a member" in response.json()["error"]["message"]


async def test_only_admins_invite(gateway_client):
    household_id, _, adult, child = await family(gateway_client)
    for member in (adult, child):
        response = await gateway_client.post(
            f"/api/households/{household_id}/invitations",
            json={"role": "adult"},
            headers=member.headers,
        )
        assert response.status_code == 403


async def test_open_invitations_are_listed_without_their_codes_and_can_be_revoked(
    gateway_client, admin_db
):
    admin = await sign_up(gateway_client)
    household_id = await new_household(gateway_client, admin)
    kept = await gateway_client.post(
        f"/api/households/{household_id}/invitations", json={"role": "adult"}, headers=admin.headers
    )
    revoked = await gateway_client.post(
        f"/api/households/{household_id}/invitations", json={"role": "child"}, headers=admin.headers
    )
    await join(
        gateway_client,
        await sign_up(gateway_client),
        await invite(gateway_client, household_id, admin),
    )

    response = await gateway_client.delete(
        f"/api/households/{household_id}/invitations/{revoked.json()['id']}", headers=admin.headers
    )
    assert response.status_code == 204
    listed = (
        await gateway_client.get(
            f"/api/households/{household_id}/invitations", headers=admin.headers
        )
    ).json()
    assert [i["id"] for i in listed] == [kept.json()["id"]]
    assert "code" not in listed[0]
    [event] = await outbox_events(admin_db, household_id, "invitation.revoked")
    assert event["data"]["invitation_id"] == revoked.json()["id"]
    gone = await join(gateway_client, await sign_up(gateway_client), revoked.json()["code"])
    assert gone.status_code == 404


async def test_events_carry_no_codes_tokens_or_emails(gateway_client, admin_db):
    admin = await sign_up(gateway_client)
    household_id = await new_household(gateway_client, admin)
    code = await invite(gateway_client, household_id, admin)
    joiner = await sign_up(gateway_client)
    await join(gateway_client, joiner, code)
    code_hash = await admin_db.fetchval(
        "SELECT code_hash FROM gateway.invitation WHERE household_id = $1", uuid.UUID(household_id)
    )
    published = json.dumps(await outbox_events(admin_db, household_id))
    for secret in (
        code,
        code.replace("-", ""),
        code_hash,
        admin.email,
        joiner.email,
        admin.access_token,
        joiner.refresh_token,
    ):
        assert secret not in published
