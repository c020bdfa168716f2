"""Households and their members: creation by a signed-in user, roles, leaving, the last admin."""

import asyncio
import uuid

from tests.integration.accounts import (
    family,
    invite_and_join,
    new_household,
    outbox_events,
    sign_up,
)


async def test_creating_a_household_needs_a_signed_in_user(gateway_client):
    gateway_client.cookies.clear()
    response = await gateway_client.post("/api/households", json={"name": "Nobody's"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_the_creator_of_a_household_is_its_admin_and_the_event_names_them(
    gateway_client, admin_db
):
    ann = await sign_up(gateway_client, name="Ann")
    response = await gateway_client.post(
        "/api/households", json={"name": "Okafor"}, headers=ann.headers
    )
    assert response.status_code == 201
    household = response.json()
    assert household["role"] == "admin" and household["timezone"] == "UTC"
    [event] = await outbox_events(admin_db, household["id"])
    assert event["type"] == "giftflow.household.created.v1"
    assert event["data"]["actor_id"] == ann.user_id
    assert event["data"]["creator_display_name"] == "Ann"
    members = await gateway_client.get(
        f"/api/households/{household['id']}/members", headers=ann.headers
    )
    assert [(m["user_id"], m["role"]) for m in members.json()] == [(ann.user_id, "admin")]


async def test_fields_the_server_owns_are_not_taken_from_the_body(gateway_client):
    ann = await sign_up(gateway_client)
    chosen_id = str(uuid.uuid4())
    response = await gateway_client.post(
        "/api/households",
        json={
            "name": "Sneaky",
            "id": chosen_id,
            "created_at": "2000-01-01T00:00:00Z",
            "role": "child",
        },
        headers=ann.headers,
    )
    assert response.status_code == 201
    household = response.json()
    assert household["id"] != chosen_id and household["role"] == "admin"
    assert not household["created_at"].startswith("2000")


async def test_a_household_time_zone_must_be_an_iana_name(gateway_client):
    ann = await sign_up(gateway_client)
    response = await gateway_client.post(
        "/api/households", json={"name": "Mars", "timezone": "Mars/Olympus"}, headers=ann.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "timezone"


async def test_a_user_sees_only_their_households_with_their_role_in_each(gateway_client):
    ann, ben = await sign_up(gateway_client, name="Ann"), await sign_up(gateway_client, name="Ben")
    anns = await new_household(gateway_client, ann, "Ann's")
    bens = await new_household(gateway_client, ben, "Ben's")
    await new_household(gateway_client, await sign_up(gateway_client), "Someone else's")
    await invite_and_join(gateway_client, bens, admin=ben, joiner=ann, role="child")

    mine = (await gateway_client.get("/api/households", headers=ann.headers)).json()
    assert [(h["id"], h["role"]) for h in mine] == [(anns, "admin"), (bens, "child")]
    me = (await gateway_client.get("/api/me", headers=ann.headers)).json()
    assert [(h["id"], h["role"]) for h in me["households"]] == [(anns, "admin"), (bens, "child")]


async def test_an_admin_renames_a_household_and_changes_its_time_zone(gateway_client, admin_db):
    household_id, admin, adult, _ = await family(gateway_client)
    response = await gateway_client.patch(
        f"/api/households/{household_id}",
        json={"name": "Smith-Jones", "timezone": "Europe/Berlin"},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["timezone"]) == (
        "Smith-Jones",
        "Europe/Berlin",
    )
    [event] = await outbox_events(admin_db, household_id, "household.updated")
    assert event["data"]["changed"] == ["name", "timezone"]
    assert event["data"]["actor_id"] == admin.user_id
    seen = await gateway_client.get(f"/api/households/{household_id}", headers=adult.headers)
    assert (seen.json()["name"], seen.json()["role"]) == ("Smith-Jones", "adult")


async def test_an_update_that_changes_nothing_publishes_nothing(gateway_client, admin_db):
    ann = await sign_up(gateway_client)
    household_id = await new_household(gateway_client, ann, "Same")
    response = await gateway_client.patch(
        f"/api/households/{household_id}", json={"name": "Same"}, headers=ann.headers
    )
    assert response.status_code == 200
    assert await outbox_events(admin_db, household_id, "household.updated") == []


async def test_only_an_admin_may_change_the_household(gateway_client):
    household_id, _, adult, child = await family(gateway_client)
    for member in (adult, child):
        response = await gateway_client.patch(
            f"/api/households/{household_id}", json={"name": "Mine now"}, headers=member.headers
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


async def test_members_are_listed_with_names_and_roles(gateway_client):
    household_id, admin, adult, child = await family(gateway_client)
    response = await gateway_client.get(
        f"/api/households/{household_id}/members", headers=child.headers
    )
    assert response.status_code == 200
    assert {(m["display_name"], m["role"]) for m in response.json()} == {
        ("Ann", "admin"),
        ("Ben", "adult"),
        ("Cleo", "child"),
    }


async def test_an_admin_changes_a_role_and_the_change_is_an_event(gateway_client, admin_db):
    household_id, admin, adult, _ = await family(gateway_client)
    response = await gateway_client.patch(
        f"/api/households/{household_id}/members/{adult.user_id}",
        json={"role": "admin"},
        headers=admin.headers,
    )
    assert response.status_code == 200 and response.json()["role"] == "admin"
    [event] = await outbox_events(admin_db, household_id, "member.role_changed")
    assert {k: event["data"][k] for k in ("user_id", "old_role", "new_role", "actor_id")} == {
        "user_id": adult.user_id,
        "old_role": "adult",
        "new_role": "admin",
        "actor_id": admin.user_id,
    }


async def test_only_an_admin_may_change_roles(gateway_client):
    household_id, _, adult, child = await family(gateway_client)
    response = await gateway_client.patch(
        f"/api/households/{household_id}/members/{child.user_id}",
        json={"role": "admin"},
        headers=adult.headers,
    )
    assert response.status_code == 403


async def test_an_unknown_role_is_refused(gateway_client):
    household_id, admin, adult, _ = await family(gateway_client)
    response = await gateway_client.patch(
        f"/api/households/{household_id}/members/{adult.user_id}",
        json={"role": "owner"},
        headers=admin.headers,
    )
    assert response.status_code == 422


async def test_the_last_admin_can_neither_be_demoted_nor_removed_nor_leave(gateway_client):
    household_id, admin, _, _ = await family(gateway_client)
    member_url = f"/api/households/{household_id}/members/{admin.user_id}"
    demoted = await gateway_client.patch(member_url, json={"role": "adult"}, headers=admin.headers)
    left = await gateway_client.delete(member_url, headers=admin.headers)
    for response in (demoted, left):
        assert response.status_code == 409
        assert "last admin" in response.json()["error"]["message"]


async def test_with_a_second_admin_the_first_may_step_down(gateway_client):
    household_id, admin, adult, _ = await family(gateway_client)
    await gateway_client.patch(
        f"/api/households/{household_id}/members/{adult.user_id}",
        json={"role": "admin"},
        headers=admin.headers,
    )
    response = await gateway_client.patch(
        f"/api/households/{household_id}/members/{admin.user_id}",
        json={"role": "adult"},
        headers=admin.headers,
    )
    assert response.status_code == 200 and response.json()["role"] == "adult"


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(gateway_client, admin_db):
    household_id, ann, ben, _ = await family(gateway_client)
    await gateway_client.patch(
        f"/api/households/{household_id}/members/{ben.user_id}",
        json={"role": "admin"},
        headers=ann.headers,
    )
    responses = await asyncio.gather(
        gateway_client.patch(
            f"/api/households/{household_id}/members/{ben.user_id}",
            json={"role": "adult"},
            headers=ann.headers,
        ),
        gateway_client.patch(
            f"/api/households/{household_id}/members/{ann.user_id}",
            json={"role": "adult"},
            headers=ben.headers,
        ),
    )
    # whichever runs second finds its caller no longer an admin, or its target the last one
    assert sorted(r.status_code for r in responses) in ([200, 403], [200, 409]), [
        r.text for r in responses
    ]
    admins = await admin_db.fetchval(
        "SELECT count(*) FROM gateway.membership WHERE household_id = $1 AND role = 'admin'",
        uuid.UUID(household_id),
    )
    assert admins == 1


async def test_a_member_may_leave_and_then_sees_nothing_of_the_household(gateway_client, admin_db):
    household_id, _, adult, _ = await family(gateway_client)
    response = await gateway_client.delete(
        f"/api/households/{household_id}/members/{adult.user_id}", headers=adult.headers
    )
    assert response.status_code == 204
    [event] = await outbox_events(admin_db, household_id, "member.removed")
    assert event["data"]["user_id"] == event["data"]["actor_id"] == adult.user_id
    assert (
        await gateway_client.get(f"/api/households/{household_id}", headers=adult.headers)
    ).status_code == 404


async def test_an_admin_removes_a_member(gateway_client, admin_db):
    household_id, admin, _, child = await family(gateway_client)
    response = await gateway_client.delete(
        f"/api/households/{household_id}/members/{child.user_id}", headers=admin.headers
    )
    assert response.status_code == 204
    [event] = await outbox_events(admin_db, household_id, "member.removed")
    assert (event["data"]["user_id"], event["data"]["actor_id"], event["data"]["role"]) == (
        child.user_id,
        admin.user_id,
        "child",
    )
    members = await gateway_client.get(
        f"/api/households/{household_id}/members", headers=admin.headers
    )
    assert child.user_id not in {m["user_id"] for m in members.json()}


async def test_a_member_who_is_not_an_admin_cannot_remove_others(gateway_client):
    household_id, admin, adult, child = await family(gateway_client)
    for target in (admin, child):
        response = await gateway_client.delete(
            f"/api/households/{household_id}/members/{target.user_id}", headers=adult.headers
        )
        assert response.status_code == 403


async def test_someone_who_is_not_a_member_is_not_found(gateway_client):
    household_id, admin, _, _ = await family(gateway_client)
    stranger = await sign_up(gateway_client)
    url = f"/api/households/{household_id}/members/{stranger.user_id}"
    assert (
        await gateway_client.patch(url, json={"role": "child"}, headers=admin.headers)
    ).status_code == 404
    assert (await gateway_client.delete(url, headers=admin.headers)).status_code == 404
