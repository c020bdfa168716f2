"""Surprise protection, end to end: Cleo walks every endpoint of her household and finds none of the
surprises her family is planning for her; the events about them are hidden from her too."""

import datetime as dt
import json
import re

import pytest

from tests.integration.accounts import family
from tests.integration.gifting import Gifting

SECRET = re.compile("secret", re.IGNORECASE)  # every surprise in the scenario is marked with it
HIDDEN_STATUSES = {"idea", "selected", "purchased", "wrapped", "given"}


@pytest.fixture
async def surprises(gateway_client):
    """Ann (admin), Ben (adult) and Cleo (child) plan Cleo's birthday and Christmas with cousin Dan."""
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    today = dt.date.today()
    ann_p = await g.person(ann, "Ann", linked_to=ann)
    cleo_p = await g.person(ann, "Cleo", linked_to=cleo)
    dan_p = await g.person(ann, "Dan")
    birthday = await g.occasion(
        ann, "Cleo's birthday", (today + dt.timedelta(days=10)).isoformat(), [cleo_p]
    )
    christmas = await g.occasion(
        ann,
        "Christmas",
        (today + dt.timedelta(days=20)).isoformat(),
        [cleo_p, dan_p],
        kind="christmas",
    )

    wishes = await g.new_list(cleo, cleo_p, "wish", occasion_id=birthday, name="Cleo's wishes")
    bike = await g.add_item(cleo, wishes, "Bike", price="200.00", notes="blue please")
    await g.claim(ann, bike["id"])
    await g.move(ann, bike["id"], "selected", "purchased", "wrapped")
    lego = await g.add_item(cleo, wishes, "Lego", price="60.00")
    await g.ok("PATCH", ann, f"/gifts/{lego['gift_id']}", json={"from_santa": True})
    await g.ok("PUT", ann, f"/gifts/{lego['gift_id']}/pledges/mine", 201, json={"amount": "30"})
    await g.ok("PUT", ben, f"/gifts/{lego['gift_id']}/pledges/mine", 201, json={"amount": "30"})
    book = await g.add_item(
        ann, wishes, "Book", price="15.00", notes="secret gift note: a signed copy"
    )
    await g.ok(
        "PATCH", ann, f"/items/{book['id']}", json={"notes": "secret item note: from the author"}
    )
    comments = {
        "surprise_gift": await g.ok(
            "POST",
            ben,
            f"/gifts/{lego['gift_id']}/comments",
            201,
            json={"body": "Secret: I'll get the big box"},
        ),
        "open_gift": await g.ok(
            "POST",
            ann,
            f"/gifts/{lego['gift_id']}/comments",
            201,
            json={"body": "Which colour, Cleo?", "surprise": False},
        ),
        "own": await g.ok(
            "POST", cleo, f"/gifts/{lego['gift_id']}/comments", 201, json={"body": "Red please"}
        ),
        "surprise_list": await g.ok(
            "POST",
            ann,
            f"/lists/{wishes}/comments",
            201,
            json={"body": "Secret: the bike is in the garage"},
        ),
    }

    ideas = await g.new_list(
        ann, cleo_p, "idea", occasion_id=christmas, name="Secret ideas for Cleo"
    )
    pony = await g.add_item(ann, ideas, "Secret pony", price="999.00", tags=["secret-tag"])
    await g.claim(ben, pony["id"])
    comments["on_idea"] = await g.ok(
        "POST", ann, f"/lists/{ideas}/comments", 201, json={"body": "Secret stable?"}
    )

    dans = await g.new_list(ann, dan_p, "wish", occasion_id=christmas, name="Dan's wishes")
    scooter = await g.add_item(ann, dans, "Scooter", price="80.00")
    tent = await g.add_item(ann, dans, "Secret joint tent", price="120.00", recipient_ids=[cleo_p])
    sled = await g.add_item(ann, dans, "Secret Santa sled", price="90.00", from_santa=True)
    private = await g.new_list(
        ben, dan_p, "idea", visibility="private", name="Secret private ideas"
    )
    hush = await g.add_item(ben, private, "Secret drone", price="150.00")
    await g.ok(
        "PUT",
        ann,
        f"/occasions/{birthday}/budgets/{cleo_p}",
        json={"amount": "250", "currency": "EUR"},
    )
    await g.ok(
        "PUT",
        ann,
        f"/occasions/{christmas}/budgets/{dan_p}",
        json={"amount": "100", "currency": "EUR"},
    )

    return dict(
        g=g,
        hid=hid,
        ann=ann,
        ben=ben,
        cleo=cleo,
        cleo_p=cleo_p,
        ann_p=ann_p,
        wishes=wishes,
        wish_items=[bike, lego, book],
        wish_gifts={bike["gift_id"], lego["gift_id"], book["gift_id"]},
        lego=lego,
        bike=bike,
        scooter=scooter,
        hidden={
            "item_id": [pony["id"], tent["id"], sled["id"], hush["id"]],
            "gift_id": [pony["gift_id"], tent["gift_id"], sled["gift_id"], hush["gift_id"]],
            "list_id": [ideas, private],
            "comment_id": [
                comments["surprise_gift"]["id"],
                comments["surprise_list"]["id"],
                comments["on_idea"]["id"],
            ],
        },
        ids={
            "person_id": [ann_p, cleo_p, dan_p],
            "occasion_id": [birthday, christmas],
            "list_id": [wishes, ideas, dans, private],
            "gift_id": [x["gift_id"] for x in (bike, lego, book, pony, scooter, tent, sled, hush)],
            "item_id": [x["id"] for x in (bike, lego, book, pony, scooter, tent, sled, hush)],
            "comment_id": [c["id"] for c in comments.values()],
        },
    )


async def walk_every_get(g: Gifting, who, ids: dict[str, list[str]]) -> list[tuple[str, object]]:
    """GET every household endpoint with every id that fits it, plus the searches a recipient might try."""
    spec = (await g.client.get("/openapi.json")).json()
    prefix = "/api/households/{household_id}"
    seen = []
    for template, operations in spec["paths"].items():
        if "get" not in operations or not template.startswith(prefix):
            continue
        params = re.findall(r"{(\w+)}", template[len(prefix) :])
        if any(p not in ids for p in params):
            continue  # endpoints of objects this scenario does not make
        paths = [template[len(prefix) :]]
        for param in params:
            paths = [p.replace("{" + param + "}", value) for p in paths for value in ids[param]]
        # a search that cannot go without its words (a similar gift's title) looks for the secrets
        needed = {
            q["name"]: "secret"
            for q in operations["get"].get("parameters", [])
            if q["in"] == "query" and q.get("required")
        }
        for path in paths:
            response = await g.call("GET", who, path, params=needed)
            assert response.status_code in (200, 403, 404), (
                f"{path}: {response.status_code} {response.text}"
            )
            if response.status_code == 200:
                seen.append((path, response.json()))
    searches = (
        [("/gifts", {"status": s}) for s in sorted(HIDDEN_STATUSES)]
        + [
            ("/gifts", {"q": "secret"}),
            ("/gifts", {"tag": "secret-tag"}),
            ("/gifts", {"person_id": ids["person_id"][0]}),
            ("/gifts", {"person_id": ids["person_id"][1]}),
            ("/gifts", {"occasion_id": ids["occasion_id"][0]}),
            ("/dashboard", {"days": 366}),
        ]
        + [
            (f"/lists/{lst}/items", {"status": s})
            for lst in ids["list_id"]
            for s in sorted(HIDDEN_STATUSES)
        ]
    )
    for path, params in searches:
        response = await g.call("GET", who, path, params=params)
        if response.status_code == 200:
            seen.append((f"{path}?{params}", response.json()))
    return seen


def dicts_in(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from dicts_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from dicts_in(v)


async def test_the_recipient_walks_every_endpoint_and_finds_no_surprise(surprises):
    s = surprises
    seen = await walk_every_get(s["g"], s["cleo"], s["ids"])
    assert len(seen) > 30  # the walk really went places

    for path, body in seen:
        text = json.dumps(body)
        assert not SECRET.search(text), f"{path} shows a surprise: {text}"
        for d in dicts_in(body):
            about_her_wish = (
                d.get("list_id") == s["wishes"]
                or d.get("gift_id") in s["wish_gifts"]
                or d.get("id") in s["wish_gifts"]
            )
            if about_her_wish and "status" in d:
                assert d["status"] == "on_my_list", f"{path} shows a status: {d}"
                assert d.get("claimed_quantity") is None and d.get("purchased_by") is None, (
                    f"{path}: {d}"
                )
            assert not ("list_item_id" in d and "user_id" in d), f"{path} shows a claim: {d}"
            assert not ("amount" in d and d.get("gift_id") in s["wish_gifts"]), (
                f"{path} shows a pledge: {d}"
            )
            assert not ("amount" in d and d.get("person_id") == s["cleo_p"]), (
                f"{path} shows her budget: {d}"
            )
            if d.get("id") in s["wish_gifts"]:
                assert {p["role"] for p in d["people"]} <= {"recipient"}, (
                    f"{path} shows who gives: {d}"
                )
                assert d["from_santa"] is None
            if "people_without_gift" in d:
                assert s["cleo_p"] not in d["people_without_gift"]
                assert all(p["person_id"] != s["cleo_p"] for p in d["people"]), (
                    f"{path}: her coverage: {d}"
                )

    # what she may see, she sees: her wishes, her own words, the open comment, and Santa as the giver
    items = next(body for path, body in seen if path == f"/lists/{s['wishes']}/items")["items"]
    assert sorted(i["gift_title"] for i in items) == ["Bike", "Book", "Lego"]
    assert (
        next(body for path, body in seen if path == f"/gifts/{s['bike']['gift_id']}")["notes"]
        == "blue please"
    )
    lego = next(body for path, body in seen if path == f"/gifts/{s['lego']['gift_id']}")
    assert lego["giver"] == "Santa"
    comments = next(
        body for path, body in seen if path == f"/gifts/{s['lego']['gift_id']}/comments"
    )["items"]
    assert [c["body"] for c in comments] == ["Which colour, Cleo?", "Red please"]
    scooter = next(body for path, body in seen if path == f"/items/{s['scooter']['id']}")
    assert scooter["status"] == "idea"  # what is not about her, she sees as anyone does


async def test_everything_planned_for_the_recipient_is_not_found_by_her_id_by_id(surprises):
    s = surprises
    routes = {
        "item_id": "/items/{}",
        "gift_id": "/gifts/{}",
        "list_id": "/lists/{}",
        "comment_id": "/comments/{}",
    }
    for kind, ids in s["hidden"].items():
        for object_id in ids:
            response = await s["g"].call("GET", s["cleo"], routes[kind].format(object_id))
            assert response.status_code == 404, f"{kind} {object_id}: {response.text}"
            assert response.json()["error"]["code"] == "not_found"
    assert await s["g"].ok("GET", s["cleo"], f"/items/{s['bike']['id']}/claims") == []
    assert await s["g"].ok("GET", s["cleo"], f"/gifts/{s['lego']['gift_id']}/pledges") == []


async def test_what_the_recipient_may_do_answers_the_same_whatever_the_surprise(surprises):
    s = surprises
    g, cleo, bike = s["g"], s["cleo"], s["bike"]
    changed = await g.ok("PATCH", cleo, f"/items/{bike['id']}", json={"notes": "blue or green"})
    assert changed["status"] == "on_my_list" and changed["claimed_quantity"] is None
    refused = [
        await g.call("POST", cleo, f"/items/{bike['id']}/status", json={"status": "given"}),
        await g.call(
            "POST", cleo, f"/items/{s['wish_items'][2]['id']}/status", json={"status": "selected"}
        ),
    ]
    assert {r.status_code for r in refused} == {403} and refused[0].json() == refused[1].json()
    no_claim = await g.call("DELETE", cleo, f"/items/{bike['id']}/claims/mine")
    assert (
        no_claim.status_code == 404 and "You have no claim" in no_claim.json()["error"]["message"]
    )
    santa = await g.call(
        "PATCH", cleo, f"/gifts/{s['lego']['gift_id']}", json={"from_santa": False}
    )
    assert santa.status_code == 403


async def test_events_about_her_surprises_are_hidden_from_her(surprises, admin_db):
    s = surprises
    rows = await admin_db.fetch(
        "SELECT cloudevent FROM gateway.outbox WHERE cloudevent->>'household' = $1", s["hid"]
    )
    events = [
        json.loads(r["cloudevent"]) if isinstance(r["cloudevent"], str) else r["cloudevent"]
        for r in rows
    ]
    cleo = s["cleo"].user_id
    sensitive = [
        e
        for e in events
        if SECRET.search(json.dumps(e["data"]))
        or e["type"].split(".")[1] in ("claim", "pledge", "budget")
        or e["type"] == "giftflow.list_item.status_changed.v1"
    ]
    assert len(sensitive) > 10
    for event in sensitive:
        if (
            event["type"].startswith("giftflow.budget")
            and event["data"]["person_id"] != s["cleo_p"]
        ):
            continue
        assert cleo in event["data"]["hidden_from"], (
            f"{event['type']} reaches Cleo: {event['data']}"
        )
    added = [
        e
        for e in events
        if e["type"] == "giftflow.list_item.added.v1" and e["data"]["list_id"] == s["wishes"]
    ]
    assert added and all(
        cleo not in e["data"]["hidden_from"] for e in added
    )  # her own wishes do reach her


async def test_a_recipient_takes_a_wish_off_their_list_but_cannot_delete_what_others_plan_with_it(
    surprises,
):
    s = surprises
    g, cleo, bike = s["g"], s["cleo"], s["bike"]
    refused = await g.call("DELETE", cleo, f"/gifts/{bike['gift_id']}")
    assert refused.status_code == 403
    await g.ok("DELETE", cleo, f"/items/{bike['id']}", 204)
    assert (await g.call("GET", s["ann"], f"/gifts/{bike['gift_id']}")).status_code == 200
    # off her list, it is still a gift for her: who bought it stays hidden
    assert (await g.call("GET", cleo, f"/gifts/{bike['gift_id']}")).status_code == 404
