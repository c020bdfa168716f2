"""Wish priority: the wisher says which wishes they want most, the list shows those first, and the
ranking tells a wisher nothing about the surprises."""

from tests.integration.accounts import family
from tests.integration.gifting import Gifting, outbox_events


async def titles(g: Gifting, who, list_id: str, **params) -> list[str]:
    page = await g.ok("GET", who, f"/lists/{list_id}/items", params=params)
    return [item["gift_title"] for item in page["items"]]


async def test_a_list_shows_the_most_wanted_first_then_in_the_order_they_were_added(
    gateway_client,
):
    hid, ann, _, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    wishes = await g.new_list(ann, await g.person(ann, "Cleo", linked_to=cleo))
    await g.add_item(cleo, wishes, "Socks", priority="nice_to_have")
    await g.add_item(cleo, wishes, "Book")
    bike = await g.add_item(cleo, wishes, "Bike", priority="most_wanted")
    await g.add_item(cleo, wishes, "Paints")
    assert bike["priority"] == "most_wanted"
    assert await titles(g, ann, wishes) == ["Bike", "Book", "Paints", "Socks"]
    assert await titles(g, cleo, wishes) == ["Bike", "Book", "Paints", "Socks"]

    # one item a page: the cursor carries the priority, so the pages walk the same order
    walked, cursor = [], None
    while True:
        page = await g.ok(
            "GET", ann, f"/lists/{wishes}/items", params={"limit": 1, "cursor": cursor or ""}
        )
        walked += [item["gift_title"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert walked == ["Bike", "Book", "Paints", "Socks"]


async def test_the_wisher_changes_a_priority_and_givers_see_it(gateway_client, admin_db):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    wishes = await g.new_list(ann, await g.person(ann, "Cleo", linked_to=cleo))
    await g.add_item(cleo, wishes, "Book")
    kite = await g.add_item(cleo, wishes, "Kite")
    changed = await g.ok("PATCH", cleo, f"/items/{kite['id']}", json={"priority": "most_wanted"})
    assert changed["priority"] == "most_wanted" and changed["status"] == "on_my_list"
    assert (await g.ok("GET", ben, f"/items/{kite['id']}"))["priority"] == "most_wanted"
    assert await titles(g, ben, wishes) == ["Kite", "Book"]

    added, updated = await outbox_events(admin_db, kite["id"])
    assert added["data"]["priority"] == "normal"
    assert updated["data"]["priority"] == "most_wanted"
    assert cleo.user_id not in updated["data"]["hidden_from"]  # their own doing, about their wish


async def test_only_the_wisher_ranks_a_members_wishes(gateway_client):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    wishes = await g.new_list(ann, await g.person(ann, "Cleo", linked_to=cleo))
    kite = await g.add_item(cleo, wishes, "Kite")
    refused = await g.call("PATCH", ben, f"/items/{kite['id']}", json={"priority": "nice_to_have"})
    assert refused.status_code == 403
    assert "person who wished it" in refused.json()["error"]["message"]
    added = await g.call(
        "POST",
        ben,
        f"/lists/{wishes}/items",
        json={"gift": {"title": "Drum"}, "priority": "most_wanted"},
    )
    assert added.status_code == 403
    # the same priority again, or other changes, are still the givers' to make
    await g.ok("PATCH", ben, f"/items/{kite['id']}", json={"priority": "normal", "quantity": 2})
    assert (await g.ok("GET", cleo, f"/items/{kite['id']}"))["priority"] == "normal"


async def test_anyone_ranks_ideas_and_the_wishes_of_someone_without_an_account(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    grandpa = await g.person(ann, "Grandpa")
    wishes = await g.new_list(ann, grandpa)
    ideas = await g.new_list(ann, grandpa, "idea")
    pipe = await g.add_item(ann, wishes, "Pipe")
    await g.ok("PATCH", ben, f"/items/{pipe['id']}", json={"priority": "most_wanted"})
    idea = await g.add_item(ben, ideas, "Slippers", priority="nice_to_have")
    assert idea["priority"] == "nice_to_have"


async def test_a_priority_is_one_of_three_words(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    wishes = await g.new_list(ann, await g.person(ann, "Abe"))
    kite = await g.add_item(ann, wishes, "Kite")
    for wrong in ("urgent", 1, None):
        response = await g.call("PATCH", ann, f"/items/{kite['id']}", json={"priority": wrong})
        assert response.status_code == 422, wrong
        assert response.json()["error"]["details"][0]["field"].endswith("priority")
