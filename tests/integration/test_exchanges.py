"""Gift exchanges through the gateway's API on a real Postgres: the organizer sets one up and draws;
each giver sees only their own pick (the organizer also those of people who are not members), on the
exchange and on their dashboard; the events of a pick are only for its giver; a draw the exclusions make
impossible says who is stuck; a latecomer voids the draw until it is redrawn; last year's pairs are not
drawn again; a claim made for the exchange counts for its giver and is nobody else's to see; another
household finds none of it."""

import datetime as dt

import httpx
import pytest
import vobject

from tests.integration.accounts import Account, family, invite_and_join, outbox_events
from tests.integration.gifting import Gifting


@pytest.fixture
async def smiths(gateway_client: httpx.AsyncClient):
    """Ann (admin, organizer), Ben (adult), Cleo (child), Dan (adult), and Grandma, who is no member;
    each member linked to their person."""
    household_id, ann, ben, cleo = await family(gateway_client)
    dan = await invite_and_join(gateway_client, household_id, admin=ann, name="Dan")
    g = Gifting(gateway_client, household_id)
    people = {
        "ann": await g.person(ann, "Ann", linked_to=ann),
        "ben": await g.person(ann, "Ben", linked_to=ben),
        "cleo": await g.person(ann, "Cleo", linked_to=cleo),
        "dan": await g.person(ann, "Dan", linked_to=dan),
        "grandma": await g.person(ann, "Grandma"),
    }
    christmas = await g.occasion(ann, "Christmas", "2026-12-25", [], kind="christmas")
    return g, {"ann": ann, "ben": ben, "cleo": cleo, "dan": dan}, people, christmas


def tomorrow(days: int = 1) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


async def new_exchange(g: Gifting, who: Account, occasion: str, person_ids, **fields) -> dict:
    body = {
        "occasion_id": occasion,
        "name": "Family Secret Santa",
        "deadline": tomorrow(30),
        "person_ids": list(person_ids),
        **fields,
    }
    return await g.ok("POST", who, "/exchanges", 201, json=body)


async def drawn(g: Gifting, who: Account, exchange: dict) -> dict:
    return await g.ok("POST", who, f"/exchanges/{exchange['id']}/draw")


async def all_picks(admin_db, exchange_id: str) -> dict[str, str]:
    rows = await admin_db.fetch(
        "SELECT giver_person_id, receiver_person_id FROM gateway.exchange_pick "
        "WHERE exchange_id = $1",
        exchange_id,
    )
    return {str(r["giver_person_id"]): str(r["receiver_person_id"]) for r in rows}


async def test_each_giver_sees_only_their_own_pick_and_the_organizer_the_proxied_one(
    smiths, admin_db
):
    g, members, people, christmas = smiths
    ann, ben, cleo, dan = members["ann"], members["ben"], members["cleo"], members["dan"]
    exchange = await new_exchange(
        g,
        ann,
        christmas,
        people.values(),
        price_min="10",
        price_max="25",
        currency="eur",
        exclusions=[{"giver_person_id": people["ann"], "receiver_person_id": people["ben"]}],
    )
    assert exchange["my_picks"] == [] and exchange["drawn_at"] is None
    assert {"giver_person_id": people["ben"], "receiver_person_id": people["ann"]} in exchange[
        "exclusions"
    ], "partners are excluded both ways by default"

    result = await drawn(g, ann, exchange)
    picks = await all_picks(admin_db, exchange["id"])
    assert sorted(picks) == sorted(people.values()) == sorted(picks.values())
    assert all(giver != receiver for giver, receiver in picks.items())
    assert picks[people["ann"]] != people["ben"] and picks[people["ben"]] != people["ann"]

    # the organizer: her own pick and Grandma's, whom she stands in for; nobody else's
    shown = {p["giver_person_id"]: p for p in result["my_picks"]}
    assert set(shown) == {people["ann"], people["grandma"]}
    assert shown[people["grandma"]]["as_proxy"] and not shown[people["ann"]]["as_proxy"]
    assert shown[people["ann"]]["receiver_person_id"] == picks[people["ann"]]
    assert [p["started"] for p in result["progress"]] == [False] * 5

    for name, who in (("ben", ben), ("cleo", cleo), ("dan", dan)):
        seen = await g.ok("GET", who, f"/exchanges/{exchange['id']}")
        assert [(p["giver_person_id"], p["receiver_person_id"]) for p in seen["my_picks"]] == [
            (people[name], picks[people[name]])
        ]
        assert seen["progress"] is None, "only the organizer sees who has started"
        listed = await g.ok("GET", who, "/exchanges")
        assert [len(e["my_picks"]) for e in listed] == [1]
        board = await g.ok("GET", who, "/dashboard")
        assert [p["receiver_person_id"] for p in board["my_exchange_picks"]] == [
            picks[people[name]]
        ]

    # the events: the draw for everyone, each pick only for its giver (Grandma's for Ann)
    events = await outbox_events(admin_db, exchange["id"])
    assert [e["type"] for e in events].count("giftflow.exchange.drawn.v1") == 1
    pick_events = [e["data"] for e in events if e["type"] == "giftflow.exchange.pick_drawn.v1"]
    assert len(pick_events) == 5
    seer = {
        people["ann"]: ann,
        people["ben"]: ben,
        people["cleo"]: cleo,
        people["dan"]: dan,
        people["grandma"]: ann,
    }
    for data in pick_events:
        giver = data["giver_person_id"]
        assert data["receiver_person_id"] == picks[giver]
        assert data["only_for"] == [seer[giver].user_id]
        everyone = {m.user_id for m in members.values()}
        assert set(data["hidden_from"]) == everyone - {seer[giver].user_id}
        assert picks[giver] in data["hidden_persons"] or picks[giver] == people["ann"]
    drawn_event = next(e["data"] for e in events if e["type"] == "giftflow.exchange.drawn.v1")
    assert "picks" not in drawn_event and drawn_event["givers"] == 5


async def test_a_draw_the_exclusions_make_impossible_names_who_is_stuck(smiths):
    g, members, people, christmas = smiths
    ann = members["ann"]
    trio = [people["ann"], people["ben"], people["grandma"]]
    exchange = await new_exchange(
        g,
        ann,
        christmas,
        trio,
        exclusions=[
            {"giver_person_id": people["grandma"], "receiver_person_id": people["ann"]},
            {"giver_person_id": people["grandma"], "receiver_person_id": people["ben"]},
        ],
    )
    refused = await g.call("POST", ann, f"/exchanges/{exchange['id']}/draw", 409)
    message = refused.json()["error"]["message"]
    assert "Grandma has nobody to give to" in message, message
    assert (await g.ok("GET", ann, f"/exchanges/{exchange['id']}"))["drawn_at"] is None


async def test_a_latecomer_voids_the_draw_until_names_are_drawn_again(smiths, admin_db):
    g, members, people, christmas = smiths
    ann, ben = members["ann"], members["ben"]
    first = [people["ann"], people["ben"], people["cleo"]]
    exchange = await new_exchange(g, ann, christmas, first)
    await drawn(g, ann, exchange)
    changed = await g.ok(
        "PATCH",
        ann,
        f"/exchanges/{exchange['id']}",
        json={"person_ids": [*first, people["dan"]]},
    )
    assert changed["drawn_at"] is None and changed["my_picks"] == []
    assert await all_picks(admin_db, exchange["id"]) == {}
    updated = (await outbox_events(admin_db, exchange["id"], "exchange.updated"))[-1]["data"]
    assert updated["draw_voided"] is True
    assert set(updated["member_ids"]) == {m.user_id for m in members.values()}

    again = await drawn(g, ann, exchange)
    assert again["draw_round"] == 2
    assert len(await all_picks(admin_db, exchange["id"])) == 4
    rounds = await outbox_events(admin_db, exchange["id"], "exchange.drawn")
    assert [e["data"]["draw_round"] for e in rounds] == [1, 2]
    # only the organizer runs it
    await g.call("POST", ben, f"/exchanges/{exchange['id']}/draw", 403)
    await g.call("PATCH", ben, f"/exchanges/{exchange['id']}", 403, json={"name": "Mine now"})
    await g.call("DELETE", ben, f"/exchanges/{exchange['id']}", 403)


async def test_last_years_pairs_are_not_drawn_again(smiths, admin_db):
    g, members, people, christmas = smiths
    ann = members["ann"]
    four = [people["ann"], people["ben"], people["cleo"], people["dan"]]
    last_year = await new_exchange(g, ann, christmas, four, name="Christmas 2025")
    await drawn(g, ann, last_year)
    before = await all_picks(admin_db, last_year["id"])
    this_year = await new_exchange(g, ann, christmas, four, name="Christmas 2026")
    for _ in range(5):  # each draw is new, none repeats a pair of last year's
        await drawn(g, ann, this_year)
        now = await all_picks(admin_db, this_year["id"])
        assert not set(now.items()) & set(before.items())
    history = await g.ok("GET", ann, "/exchanges", params={"occasion_id": christmas})
    assert {e["name"] for e in history} == {"Christmas 2025", "Christmas 2026"}


async def test_a_claim_for_the_exchange_counts_for_its_giver_and_stays_theirs(smiths, admin_db):
    g, members, people, christmas = smiths
    ann, ben, dan = members["ann"], members["ben"], members["dan"]
    exchange = await new_exchange(
        g, ann, christmas, [people["ann"], people["ben"], people["dan"], people["grandma"]]
    )
    await drawn(g, ann, exchange)
    picks = await all_picks(admin_db, exchange["id"])
    receiver = picks[people["ben"]]
    wishes = await g.new_list(ann, receiver, kind="wish", occasion_id=christmas)
    item = await g.add_item(ann, wishes, "Scarf", price="20.00")
    ben_view = await g.ok("GET", ben, f"/exchanges/{exchange['id']}")
    assert ben_view["my_picks"][0]["wish_list_ids"] == [wishes], "one tap to their wish list"

    # a member who did not draw them (and is not them): the exchange is refused for their claim
    outsider = ann if receiver == people["dan"] else dan
    refused = await g.call(
        "POST",
        outsider,
        f"/items/{item['id']}/claims",
        422,
        json={"quantity": 1, "exchange_id": exchange["id"]},
    )
    assert "exchange_id" in refused.text
    claim = await g.ok(
        "POST",
        ben,
        f"/items/{item['id']}/claims",
        201,
        json={"quantity": 1, "exchange_id": exchange["id"]},
    )
    assert claim["exchange_id"] == exchange["id"]

    progress = (await g.ok("GET", ann, f"/exchanges/{exchange['id']}"))["progress"]
    assert {p["giver_person_id"]: p["started"] for p in progress} == {
        people["ann"]: False,
        people["ben"]: True,
        people["dan"]: False,
        people["grandma"]: False,
    }
    # nobody else learns who claimed it: not in the claims, not in the event
    for other in (ann, dan):
        assert await g.ok("GET", other, f"/items/{item['id']}/claims") == []
    assert [c["user_id"] for c in await g.ok("GET", ben, f"/items/{item['id']}/claims")] == [
        ben.user_id
    ]
    event = (await outbox_events(admin_db, item["id"]))[-1]
    assert event["type"] == "giftflow.claim.added.v1"
    assert event["data"]["only_for"] == [ben.user_id]
    assert ben.user_id not in event["data"]["hidden_from"]
    assert {ann.user_id, dan.user_id} <= set(event["data"]["hidden_from"])

    # bought: the item says so, but not by whom, and the change is told to Ben alone
    bought = await g.move(ben, item["id"], "selected", "purchased")
    assert bought["status"] == "purchased" and bought["purchased_by"] is None
    changed = [
        e["data"]
        for e in await outbox_events(admin_db, item["id"])
        if e["type"] == "giftflow.list_item.status_changed.v1"
    ]
    assert [c["only_for"] for c in changed] == [[ben.user_id], [ben.user_id]]
    gift = await g.ok("GET", ann, f"/gifts/{item['gift_id']}")
    assert all(p["role"] != "purchaser" for p in gift["people"]), gift


async def test_the_rules_of_setting_one_up(smiths, admin_db):
    g, members, people, christmas = smiths
    ann, cleo = members["ann"], members["cleo"]
    trio = [people["ann"], people["ben"], people["cleo"]]
    await g.call(
        "POST",
        cleo,
        "/exchanges",
        403,
        json={
            "occasion_id": christmas,
            "name": "Mine",
            "deadline": tomorrow(),
            "person_ids": trio,
        },
    )
    cases = [
        ({"person_ids": trio[:2]}, "person_ids"),
        ({"deadline": dt.date.today().isoformat()}, "deadline"),
        ({"price_min": "30", "price_max": "10", "currency": "EUR"}, "price_min"),
        ({"price_max": "10"}, "currency"),
        (
            {"exclusions": [{"giver_person_id": trio[0], "receiver_person_id": trio[0]}]},
            "exclusions",
        ),
        (
            {"exclusions": [{"giver_person_id": trio[0], "receiver_person_id": people["grandma"]}]},
            "exclusions",
        ),
    ]
    for change, field in cases:
        body = {
            "occasion_id": christmas,
            "name": "Bad",
            "deadline": tomorrow(),
            "person_ids": trio,
            **change,
        }
        response = await g.call("POST", ann, "/exchanges", 422, json=body)
        assert field in response.text, (change, response.text)

    # once its day has come, the draw no longer changes
    exchange = await new_exchange(g, ann, christmas, trio)
    await admin_db.execute(
        "UPDATE gateway.exchange SET deadline = CURRENT_DATE - 1 WHERE id = $1", exchange["id"]
    )
    late = await g.call("POST", ann, f"/exchanges/{exchange['id']}/draw", 409)
    assert "can no longer change" in late.json()["error"]["message"]


async def test_another_household_finds_nothing(smiths, gateway_client):
    g, members, people, christmas = smiths
    exchange = await new_exchange(
        g, members["ann"], christmas, [people["ann"], people["ben"], people["cleo"]]
    )
    await drawn(g, members["ann"], exchange)
    other_id, stranger, _, _ = await family(gateway_client, name="Joneses")
    theirs = Gifting(gateway_client, other_id)
    path = f"/exchanges/{exchange['id']}"
    await theirs.call("GET", stranger, path, 404)
    await theirs.call("PATCH", stranger, path, 404, json={"name": "Ours"})
    await theirs.call("POST", stranger, path + "/draw", 404)
    await theirs.call("DELETE", stranger, path, 404)
    assert await theirs.ok("GET", stranger, "/exchanges") == []
    # nor with the right household in the path
    await g.call("GET", stranger, path, 404)
    # nor by naming it in their own household's claims
    grandpa = await theirs.person(stranger, "Grandpa")
    wishes = await theirs.new_list(stranger, grandpa)
    item = await theirs.add_item(stranger, wishes, "Pipe")
    refused = await theirs.call(
        "POST",
        stranger,
        f"/items/{item['id']}/claims",
        422,
        json={"exchange_id": exchange["id"]},
    )
    assert "not a gift exchange of this household" in refused.text


async def test_the_calendar_feed_shows_the_exchange_day_and_never_a_pick(smiths, gateway_client):
    g, members, people, christmas = smiths
    ann, ben = members["ann"], members["ben"]
    exchange = await new_exchange(
        g,
        ann,
        christmas,
        [people["ann"], people["ben"], people["grandma"]],
        price_min="10",
        price_max="25",
        currency="EUR",
    )
    await drawn(g, ann, exchange)
    for who in (ann, ben, members["dan"]):
        feed = await g.ok("POST", who, "/calendar-feeds", 201, json={"name": "Phone"})
        text = (await gateway_client.get(feed["url"])).text
        calendar = vobject.readOne(text)
        summaries = {e.summary.value: e for e in getattr(calendar, "vevent_list", [])}
        name = "Gift exchange: Family Secret Santa"
        if who is members["dan"]:
            assert name not in summaries, "only for those taking part and the organizer"
            continue
        assert summaries[name].dtstart.value.isoformat() == exchange["deadline"]
        assert summaries[name].description.value == "Price range 10.00–25.00 EUR"
        assert "Grandma" not in text and "gives to" not in text
