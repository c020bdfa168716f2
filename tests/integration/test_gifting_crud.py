"""People, occasions, lists, gifts and list items: CRUD, pagination, and the events each change stages."""

from tests.integration.accounts import family
from tests.integration.gifting import Gifting, outbox_events


async def test_a_gift_goes_on_a_wish_list_and_every_change_stages_its_event(
    gateway_client, admin_db
):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    cleo_p = await g.person(ann, "Cleo", linked_to=cleo, interests=["horses"], sizes={"shoe": "31"})
    birthday = await g.occasion(ann, "Cleo's birthday", "2018-05-04", [cleo_p])
    wishes = await g.new_list(cleo, cleo_p, "wish", occasion_id=birthday)
    item = await g.add_item(cleo, wishes, "Pony book", quantity=2, price="12.50", tags=["Books"])

    assert item["quantity"] == 2 and item["status"] == "on_my_list"
    seen_by_ben = await g.ok("GET", ben, f"/items/{item['id']}")
    assert seen_by_ben["status"] == "idea" and seen_by_ben["claimed_quantity"] == 0
    gift = await g.ok("GET", ben, f"/gifts/{item['gift_id']}")
    assert gift["price"] == "12.50" and gift["currency"] == "EUR" and gift["tags"] == ["books"]

    assert [e["type"] for e in await outbox_events(admin_db, cleo_p)] == [
        "giftflow.person.created.v1"
    ]
    [occasion_event] = await outbox_events(admin_db, birthday)
    assert (
        occasion_event["data"]["date"] == "2018-05-04"
        and occasion_event["data"]["recurs_yearly"] is True
    )
    assert occasion_event["data"]["person_ids"] == [cleo_p]
    [created] = await outbox_events(admin_db, item["gift_id"])
    assert created["type"] == "giftflow.gift.created.v1"
    [added] = await outbox_events(admin_db, item["id"])
    assert added["type"] == "giftflow.list_item.added.v1" and added["data"]["hidden_from"] == []


async def test_people_and_occasions_page_through_with_an_opaque_cursor(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    for name in ("Dora", "Abe", "Cyd", "Bea", "Eli"):
        await g.person(ann, name)
    first = await g.ok("GET", ann, "/people", params={"limit": 2})
    assert [p["name"] for p in first["items"]] == ["Abe", "Bea"]
    second = await g.ok("GET", ann, "/people", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [p["name"] for p in second["items"]] == ["Cyd", "Dora"]
    third = await g.ok("GET", ann, "/people", params={"limit": 2, "cursor": second["next_cursor"]})
    assert [p["name"] for p in third["items"]] == ["Eli"] and third["next_cursor"] is None
    found = await g.ok("GET", ann, "/people", params={"q": "or"})
    assert [p["name"] for p in found["items"]] == ["Dora"]

    bad = await g.call("GET", ann, "/people", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "query.cursor"


async def test_a_yearly_occasion_tells_when_it_comes_next(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    abe = await g.person(ann, "Abe")
    occasion_id = await g.occasion(ann, "Abe's birthday", "1980-02-29", [abe])
    occasion = await g.ok("GET", ann, f"/occasions/{occasion_id}")
    assert occasion["next_date"] is not None and occasion["next_date"][5:] in ("02-28", "02-29")
    changed = await g.ok(
        "PATCH", ann, f"/occasions/{occasion_id}", json={"person_ids": [], "name": "Leap day"}
    )
    assert changed["person_ids"] == [] and changed["name"] == "Leap day"
    unknown = await g.call(
        "PATCH", ann, f"/occasions/{occasion_id}", json={"person_ids": [occasion_id]}
    )
    assert (
        unknown.status_code == 422
        and unknown.json()["error"]["details"][0]["field"] == "person_ids"
    )
    # dates off a family's calendar are refused, where yearly roll-over and reminders could not follow
    for day in ("0001-01-05", "9999-12-31"):
        odd = await g.call("POST", ann, "/occasions", json={"name": "Odd", "date": day})
        assert odd.status_code == 422 and odd.json()["error"]["details"][0]["field"] == "date", (
            odd.text
        )
    moved = await g.call("PATCH", ann, f"/occasions/{occasion_id}", json={"date": "1899-12-31"})
    assert moved.status_code == 422 and moved.json()["error"]["details"][0]["field"] == "date"


async def test_fields_the_server_owns_are_never_taken_from_the_body(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    other_hid, zed, _, _ = await family(gateway_client, "Others")
    g = Gifting(gateway_client, hid)
    abe = await g.person(ann, "Abe")
    forged = {
        "id": "00000000-0000-0000-0000-000000000001",
        "household_id": other_hid,
        "created_by": zed.user_id,
        "title": "Kite",
        "status": "given",
        "claimed_quantity": 5,
    }
    gift = await g.ok("POST", ann, "/gifts", 201, json=forged)
    assert (
        gift["id"] != forged["id"]
        and gift["household_id"] == hid
        and gift["created_by"] == ann.user_id
    )
    wishes = await g.new_list(ann, abe)
    item = await g.ok(
        "POST", ann, f"/lists/{wishes}/items", 201, json={"gift_id": gift["id"], **forged}
    )
    assert (
        item["status"] == "idea"
        and item["claimed_quantity"] == 0
        and item["added_by"] == ann.user_id
    )


async def test_the_status_pipeline_refuses_skips_and_names_the_allowed_moves(
    gateway_client, admin_db
):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    ben_p = await g.person(ann, "Ben", linked_to=ben)
    ann_p = await g.person(ann, "Ann", linked_to=ann)
    ideas = await g.new_list(ann, ben_p, "idea")
    item = await g.add_item(ann, ideas, "Watch", price="80.00")

    skip = await g.call("POST", ann, f"/items/{item['id']}/status", json={"status": "wrapped"})
    assert skip.status_code == 409
    assert skip.json()["error"]["details"]["allowed"] == ["selected"]
    assert "selected" in skip.json()["error"]["message"]

    bought = await g.move(ann, item["id"], "selected", "purchased")
    assert bought["status"] == "purchased" and bought["purchased_by"] == ann.user_id
    gift = await g.ok("GET", ann, f"/gifts/{item['gift_id']}")
    assert {"person_id": ann_p, "role": "purchaser"} in gift["people"]
    given = await g.move(ann, item["id"], "wrapped", "given")
    assert given["status"] == "given"
    final = await g.call("POST", ann, f"/items/{item['id']}/status", json={"status": "wrapped"})
    assert final.status_code == 409 and final.json()["error"]["details"]["allowed"] == []

    changes = [
        e
        for e in await outbox_events(admin_db, item["id"])
        if e["type"].endswith("status_changed.v1")
    ]
    assert [(e["data"]["previous_status"], e["data"]["status"]) for e in changes] == [
        ("idea", "selected"),
        ("selected", "purchased"),
        ("purchased", "wrapped"),
        ("wrapped", "given"),
    ]
    assert all(e["data"]["hidden_from"] == [ben.user_id] for e in changes)


async def test_undoing_a_purchase_unlinks_the_purchaser(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    ben_p = await g.person(ann, "Ben", linked_to=ben)
    ann_p = await g.person(ann, "Ann", linked_to=ann)
    item = await g.add_item(ann, await g.new_list(ann, ben_p, "idea"), "Scarf")
    await g.move(ann, item["id"], "selected", "purchased")
    back = await g.move(ann, item["id"], "selected")
    assert back["purchased_by"] is None and back["purchased_at"] is None
    gift = await g.ok("GET", ann, f"/gifts/{item['gift_id']}")
    assert {"person_id": ann_p, "role": "purchaser"} not in gift["people"]


async def test_gifts_are_found_by_text_tag_person_and_status(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    abe, bea = await g.person(ann, "Abe"), await g.person(ann, "Bea")
    abe_list, bea_list = await g.new_list(ann, abe, "idea"), await g.new_list(ann, bea, "idea")
    kite = await g.add_item(ann, abe_list, "Red kite", tags=["outdoor"])
    await g.add_item(ann, abe_list, "Chess set", notes="wooden, 100% handmade", tags=["games"])
    ball = await g.add_item(ann, bea_list, "Beach ball", tags=["outdoor"])
    await g.move(ann, ball["id"], "selected")

    async def titles(**params) -> list[str]:
        return [x["title"] for x in (await g.ok("GET", ben, "/gifts", params=params))["items"]]

    assert await titles(q="KITE") == ["Red kite"]
    assert await titles(q="100%") == ["Chess set"]
    assert await titles(tag="Outdoor") == ["Beach ball", "Red kite"]
    assert await titles(person_id=abe) == ["Chess set", "Red kite"]
    assert await titles(status="selected") == ["Beach ball"]
    assert await titles(status="idea", tag="outdoor") == ["Red kite"]
    tags = await g.ok("GET", ben, "/tags")
    assert [t["name"] for t in tags["items"]] == ["games", "outdoor"]
    assert kite["gift_title"] == "Red kite"


async def test_validation_errors_name_the_field_and_why(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    response = await g.call(
        "POST",
        ann,
        "/gifts",
        json={"title": "", "price": "-1", "currency": "EURO", "url": "ftp://x"},
    )
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"title", "price", "currency", "url"}
    no_currency = await g.call("POST", ann, "/gifts", json={"title": "Kite", "price": "10"})
    assert no_currency.status_code == 422
    assert no_currency.json()["error"]["details"] == [
        {"field": "currency", "problem": "is needed with a price (an ISO 4217 code like EUR)"}
    ]
    neither = await g.call(
        "POST",
        ann,
        f"/lists/{await g.new_list(ann, await g.person(ann, 'Abe'))}/items",
        json={"quantity": 1},
    )
    assert (
        neither.status_code == 422 and neither.json()["error"]["details"][0]["field"] == "gift_id"
    )


async def test_children_cannot_manage_people_occasions_or_budgets(gateway_client):
    hid, ann, _, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    response = await g.call("POST", cleo, "/people", json={"name": "Zed"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


async def test_deleting_a_person_takes_their_lists_along(gateway_client, admin_db):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    abe = await g.person(ann, "Abe")
    wishes = await g.new_list(ann, abe)
    await g.add_item(ann, wishes, "Kite")
    await g.ok("DELETE", ann, f"/people/{abe}", 204)
    assert (await g.call("GET", ann, f"/lists/{wishes}")).status_code == 404
    assert [e["type"] for e in await outbox_events(admin_db, abe)][
        -1
    ] == "giftflow.person.deleted.v1"


async def test_text_the_database_cannot_store_is_a_validation_error_not_a_crash(gateway_client):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    stored = await g.call("POST", ann, "/gifts", json={"title": "Kite\u0000"})
    assert stored.status_code == 422 and stored.json()["error"]["details"][0]["field"] == "title"
    searched = await g.call("GET", ann, "/gifts", params={"q": "a\u0000b"})
    assert (
        searched.status_code == 422 and searched.json()["error"]["details"][0]["field"] == "query.q"
    )
