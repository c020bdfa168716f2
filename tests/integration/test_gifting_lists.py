"""Lists and their visibility, and comments on gifts and lists."""

from tests.integration.accounts import family
from tests.integration.gifting import Gifting, outbox_events


async def test_a_private_list_and_its_gifts_are_seen_only_by_their_maker(gateway_client, admin_db):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    abe = await g.person(ann, "Abe")
    private = await g.new_list(ben, abe, "idea", visibility="private")
    item = await g.add_item(ben, private, "Drone")
    assert (await g.call("GET", ann, f"/lists/{private}")).status_code == 404
    assert (await g.call("GET", ann, f"/gifts/{item['gift_id']}")).status_code == 404
    assert private not in [lst["id"] for lst in (await g.ok("GET", ann, "/lists"))["items"]]
    assert private in [lst["id"] for lst in (await g.ok("GET", ben, "/lists"))["items"]]
    [created] = await outbox_events(admin_db, private)
    assert (
        ann.user_id in created["data"]["hidden_from"]
        and ben.user_id not in created["data"]["hidden_from"]
    )

    refused = await g.call("PATCH", ann, f"/lists/{private}", json={"visibility": "household"})
    assert refused.status_code == 404
    await g.ok("PATCH", ben, f"/lists/{private}", json={"visibility": "household"})
    assert (await g.ok("GET", ann, f"/gifts/{item['gift_id']}"))["title"] == "Drone"


async def test_only_the_maker_of_a_list_changes_who_sees_it(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    shared = await g.new_list(ben, await g.person(ann, "Abe"))
    response = await g.call("PATCH", ann, f"/lists/{shared}", json={"visibility": "private"})
    assert response.status_code == 403
    renamed = await g.ok("PATCH", ann, f"/lists/{shared}", json={"name": "Abe's Christmas"})
    assert renamed["name"] == "Abe's Christmas" and renamed["visibility"] == "household"


async def test_nobody_keeps_an_idea_list_about_themselves(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    me = await g.person(ann, "Ann", linked_to=ann)
    response = await g.call(
        "POST", ann, "/lists", json={"name": "Ideas", "kind": "idea", "person_id": me}
    )
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "kind"


async def test_one_gift_goes_on_a_list_once(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    wishes = await g.new_list(ann, await g.person(ann, "Abe"))
    item = await g.add_item(ann, wishes, "Kite")
    again = await g.call("POST", ann, f"/lists/{wishes}/items", json={"gift_id": item["gift_id"]})
    assert again.status_code == 409
    await g.ok("DELETE", ann, f"/items/{item['id']}", 204)
    assert (await g.call("GET", ann, f"/items/{item['id']}")).status_code == 404
    assert (await g.ok("GET", ann, f"/gifts/{item['gift_id']}"))[
        "title"
    ] == "Kite"  # the gift stays


async def test_comments_are_edited_by_their_author_and_deleted_by_them_or_an_admin(
    gateway_client, admin_db
):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    item = await g.add_item(ann, await g.new_list(ann, await g.person(ann, "Abe")), "Kite")
    comment = await g.ok(
        "POST", ben, f"/gifts/{item['gift_id']}/comments", 201, json={"body": "I can get it"}
    )
    assert comment["target_kind"] == "gift" and comment["surprise"] is True
    assert (
        await g.call("PATCH", ann, f"/comments/{comment['id']}", json={"body": "No"})
    ).status_code == 403
    edited = await g.ok("PATCH", ben, f"/comments/{comment['id']}", json={"body": "I got it"})
    assert edited["body"] == "I got it"
    assert (await g.call("DELETE", cleo, f"/comments/{comment['id']}")).status_code == 403
    await g.ok("DELETE", ann, f"/comments/{comment['id']}", 204)
    assert (await g.ok("GET", ben, f"/gifts/{item['gift_id']}/comments"))["items"] == []
    types = [e["type"] for e in await outbox_events(admin_db, comment["id"])]
    assert types == [
        "giftflow.comment.added.v1",
        "giftflow.comment.edited.v1",
        "giftflow.comment.deleted.v1",
    ]
    empty = await g.call("POST", ben, f"/gifts/{item['gift_id']}/comments", json={"body": ""})
    assert empty.status_code == 422 and empty.json()["error"]["details"][0]["field"] == "body"
