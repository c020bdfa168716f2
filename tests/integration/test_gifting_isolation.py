"""Every object is scoped to its household: another household's ids are not found, on every endpoint,
whatever the method, and nothing of theirs changes."""

import re

from tests.integration.accounts import family
from tests.integration.gifting import Gifting

PREFIX = "/api/households/{household_id}"
# a body each write would accept, so that only the ids in its path can make it fail
BODIES = {
    "/lists/{list_id}/items": {"gift": {"title": "Kite"}},
    "/lists/{list_id}/comments": {"body": "Hello"},
    "/gifts/{gift_id}/comments": {"body": "Hello"},
    "/gifts/{gift_id}/people": {"person_id": "{own_person}", "role": "contributor"},
    "/gifts/{gift_id}/pledges/mine": {"amount": "5.00", "currency": "EUR"},
    "/items/{item_id}/status": {"status": "selected"},
    "/items/{item_id}/claims": {"quantity": 1},
    "/occasions/{occasion_id}/budgets/{person_id}": {"amount": "10.00", "currency": "EUR"},
    "/people/{person_id}": {"name": "Renamed"},
    "/occasions/{occasion_id}": {"name": "Renamed"},
    "/lists/{list_id}": {"name": "Renamed"},
    "/gifts/{gift_id}": {"title": "Renamed"},
    "/items/{item_id}": {"quantity": 1},
    "/comments/{comment_id}": {"body": "Renamed"},
}
QUERIES = {"/gifts/{gift_id}/people/{person_id}": {"role": "recipient"}}


async def make_everything(g: Gifting, admin) -> dict[str, str]:
    person = await g.person(admin, "Abe")
    occasion = await g.occasion(admin, "Abe's birthday", "1990-01-01", [person])
    lst = await g.new_list(admin, person, "idea", occasion_id=occasion)
    item = await g.add_item(
        admin, lst, "Kite", quantity=2, price="10.00", tags=["outdoor"], recipient_ids=[person]
    )
    comment = await g.ok(
        "POST", admin, f"/gifts/{item['gift_id']}/comments", 201, json={"body": "Hi"}
    )
    await g.ok(
        "PUT",
        admin,
        f"/occasions/{occasion}/budgets/{person}",
        json={"amount": "50", "currency": "EUR"},
    )
    tag = (await g.ok("GET", admin, "/tags"))["items"][0]["id"]
    return {
        "person_id": person,
        "occasion_id": occasion,
        "list_id": lst,
        "item_id": item["id"],
        "gift_id": item["gift_id"],
        "comment_id": comment["id"],
        "tag_id": tag,
    }


async def test_another_households_ids_are_not_found_on_any_endpoint(gateway_client):
    theirs_hid, ann, _, _ = await family(gateway_client, "Theirs")
    mine_hid, zed, _, _ = await family(gateway_client, "Mine")
    theirs, mine = Gifting(gateway_client, theirs_hid), Gifting(gateway_client, mine_hid)
    their_ids = await make_everything(theirs, ann)
    own_person = await mine.person(zed, "Own")
    spec = (await gateway_client.get("/openapi.json")).json()

    walked = 0
    for template, operations in spec["paths"].items():
        if not template.startswith(PREFIX):
            continue
        route = template[len(PREFIX) :]
        params = re.findall(r"{(\w+)}", route)
        if not params or any(p not in their_ids for p in params):
            continue  # no object in the path, or objects of another domain
        path = route
        for param in params:
            path = path.replace("{" + param + "}", their_ids[param])
        for method in operations:
            body = BODIES.get(route) if method in ("post", "put", "patch") else None
            if body and "person_id" in body:
                body = {**body, "person_id": own_person}
            response = await mine.call(
                method.upper(), zed, path, json=body, params=QUERIES.get(route)
            )
            assert response.status_code == 404, (
                f"{method.upper()} {route}: {response.status_code} {response.text}"
            )
            assert response.json()["error"]["code"] == "not_found"
            walked += 1
    assert walked >= 35

    # and nothing of theirs was touched
    item = await theirs.ok("GET", ann, f"/items/{their_ids['item_id']}")
    assert item["status"] == "idea" and item["claimed_quantity"] == 0 and item["quantity"] == 2
    assert (await theirs.ok("GET", ann, f"/gifts/{their_ids['gift_id']}"))["title"] == "Kite"
    assert len((await theirs.ok("GET", ann, "/budgets"))["items"]) == 1


async def test_a_non_member_is_not_found_in_the_household_at_all(gateway_client):
    theirs_hid, ann, _, _ = await family(gateway_client, "Theirs")
    _, zed, _, _ = await family(gateway_client, "Mine")
    theirs = Gifting(gateway_client, theirs_hid)
    their_ids = await make_everything(theirs, ann)
    for path in (
        "/people",
        "/occasions",
        "/lists",
        "/gifts",
        "/tags",
        "/budgets",
        "/dashboard",
        "/claims",
        f"/gifts/{their_ids['gift_id']}",
        f"/items/{their_ids['item_id']}",
    ):
        response = await theirs.call("GET", zed, path)
        assert response.status_code == 404, path


async def test_ids_of_another_household_in_a_body_are_refused_naming_the_field(gateway_client):
    theirs_hid, ann, _, _ = await family(gateway_client, "Theirs")
    mine_hid, zed, _, _ = await family(gateway_client, "Mine")
    their_ids = await make_everything(Gifting(gateway_client, theirs_hid), ann)
    mine = Gifting(gateway_client, mine_hid)
    own_person = await mine.person(zed, "Own")
    own_list = await mine.new_list(zed, own_person)
    attempts = [
        ("/lists", {"name": "L", "person_id": their_ids["person_id"]}, "person_id"),
        (
            "/lists",
            {"name": "L", "person_id": own_person, "occasion_id": their_ids["occasion_id"]},
            "occasion_id",
        ),
        (f"/lists/{own_list}/items", {"gift_id": their_ids["gift_id"]}, None),
        ("/gifts", {"title": "G", "recipient_ids": [their_ids["person_id"]]}, "recipient_ids"),
        (
            "/occasions",
            {"name": "O", "date": "2030-01-01", "person_ids": [their_ids["person_id"]]},
            "person_ids",
        ),
        ("/people", {"name": "P", "linked_user_id": ann.user_id}, "linked_user_id"),
    ]
    for path, body, field in attempts:
        response = await mine.call("POST", zed, path, json=body)
        if field is None:  # a gift to put on the list: the gift is the object asked for
            assert response.status_code == 404, response.text
        else:
            assert response.status_code == 422, response.text
            assert response.json()["error"]["details"][0]["field"] == field
