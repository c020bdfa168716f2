"""Another household's id answers 404 on every household-scoped route, exactly like a made-up id."""

import re
import uuid

from tests.integration.accounts import family, sign_up

# the routes of the accounts area: the walk below must cover at least these
ACCOUNT_ROUTES = {
    ("GET", "/api/households/{household_id}"),
    ("PATCH", "/api/households/{household_id}"),
    ("GET", "/api/households/{household_id}/members"),
    ("PATCH", "/api/households/{household_id}/members/{user_id}"),
    ("DELETE", "/api/households/{household_id}/members/{user_id}"),
    ("POST", "/api/households/{household_id}/invitations"),
    ("GET", "/api/households/{household_id}/invitations"),
    ("DELETE", "/api/households/{household_id}/invitations/{invitation_id}"),
}


def household_scoped_routes(client) -> set[tuple[str, str]]:
    app = client._transport.app
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/households/{household_id}")
        for method in operations
    }


def fill(path: str, household_id: str, ids: dict[str, str]) -> str:
    """The path for `household_id`, with the ids of the caller's own objects wherever it needs others."""
    path = path.replace("{household_id}", household_id)
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), path)


async def test_every_household_scoped_route_hides_households_the_caller_is_not_in(gateway_client):
    theirs, their_admin, their_adult, _ = await family(gateway_client, "Theirs")
    invitation = await gateway_client.post(
        f"/api/households/{theirs}/invitations", json={"role": "adult"}, headers=their_admin.headers
    )
    their_ids = {"user_id": their_adult.user_id, "invitation_id": invitation.json()["id"]}
    outsider = await sign_up(
        gateway_client, name="Outsider"
    )  # an admin of a household of their own
    await gateway_client.post("/api/households", json={"name": "Mine"}, headers=outsider.headers)

    routes = household_scoped_routes(gateway_client)
    assert ACCOUNT_ROUTES <= routes
    for method, path in sorted(routes):
        for household_id in (theirs, str(uuid.uuid4())):
            response = await gateway_client.request(
                method, fill(path, household_id, their_ids), json={}, headers=outsider.headers
            )
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"] == {
                "code": "not_found",
                "message": "No such household.",
                "details": None,
            }

    # and nothing of theirs changed
    members = await gateway_client.get(
        f"/api/households/{theirs}/members", headers=their_admin.headers
    )
    assert len(members.json()) == 3
