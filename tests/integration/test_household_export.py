"""A household's data is its own: export it as JSON and CSV, import it into a new household, through the
gateway's REST API on a real Postgres."""

import datetime as dt
import json
import uuid
import zoneinfo

from services.gateway.use_cases.wrap_up import wrap_up_household
from shared.db import session_factory
from tests.household_documents import apart_from_ids_and_times
from tests.integration.accounts import family, new_household, sign_up
from tests.integration.gifting import Gifting, outbox_events
from tests.integration.test_tasks_api import APP_TOKEN, gateway  # noqa: F401 (a fixture)

EXPORT = "/export"
IMPORT = "/api/households/import"


async def a_planned_year(g: Gifting, ann) -> dict:
    """A household's year as one grown-up plans it: every kind of object the export carries."""
    me = await g.person(ann, "Ann", linked_to=ann)
    gran = await g.person(ann, "Grandma", interests=["roses", "crime novels"], sizes={"glove": "7"})
    xmas = await g.occasion(ann, "Christmas", "2026-12-25", [gran], kind="christmas")
    await g.occasion(ann, "Ann's birthday", "2027-03-02", [me])
    ideas = await g.new_list(ann, gran, "idea", name="For Grandma", occasion_id=xmas)
    scarf = await g.add_item(ann, ideas, "Scarf", price="30.00", tags=["Warm", "wool"])
    book = await g.add_item(ann, ideas, "=SUM(A1) book", quantity=2, priority="most_wanted")
    await g.claim(ann, book["id"], 2)
    await g.move(ann, book["id"], "selected", "purchased", "wrapped")
    await g.move(ann, scarf["id"], "selected")
    await g.ok("PUT", ann, f"/gifts/{scarf['gift_id']}/pledges/mine", 201, json={"amount": "10"})
    await g.ok("POST", ann, f"/gifts/{scarf['gift_id']}/comments", 201, json={"body": "Blue!"})
    await g.ok("POST", ann, f"/lists/{ideas}/comments", 201, json={"body": "Ask Dad too"})
    await g.new_list(ann, me, "wish", name="Ann wishes")
    await g.ok(
        "PUT", ann, f"/occasions/{xmas}/budgets/{gran}", json={"amount": "80", "currency": "EUR"}
    )
    wrap = {
        "title": "Wrap Grandma's presents",
        "due_at": "2026-12-20T18:00:00+01:00",
        "reminders": ["P1D", "PT2H"],
        "occasion_id": xmas,
        "list_item_id": book["id"],
        "assignee_id": ann.user_id,
    }
    await g.ok("POST", ann, "/tasks", 201, json=wrap)
    water = {"title": "Water the plants", "due_at": "2099-12-01T09:00:00Z", "rrule": "FREQ=WEEKLY"}
    water = await g.ok("POST", ann, "/tasks", 201, json={**water, "reminders": ["PT1H"]})
    # overdue since: an import must carry it although a new task cannot be due in the past
    await g.ok("PATCH", ann, f"/tasks/{water['id']}", json={"due_at": "2026-12-01T09:00:00Z"})
    done = await g.ok("POST", ann, "/tasks", 201, json={"title": "Order the cake"})
    await g.ok("POST", ann, f"/tasks/{done['id']}/complete")
    # the history: a gift handed over, a party wrapped up, gifts received and thanked for
    await g.ok("PATCH", ann, "", json={"reveal": "at_occasion"})
    today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")).date()
    party = await g.occasion(
        ann,
        "Grandma's party",
        (today - dt.timedelta(days=30)).isoformat(),
        [gran],
        recurs_yearly=False,
    )
    for_party = await g.new_list(ann, gran, "idea", name="For the party", occasion_id=party)
    roses = await g.add_item(ann, for_party, "Roses", price="15.00")
    await g.claim(ann, roses["id"])
    gloves = await g.add_item(ann, ideas, "Gloves")
    await g.move(ann, gloves["id"], "selected", "purchased", "wrapped", "given")
    long_ago = (today - dt.timedelta(days=40)).isoformat()
    tea = {"recipient_person_id": gran, "giver_name": "Aunt Ruth", "title": "Tea set"}
    tea = await g.ok("POST", ann, "/history", 201, json={**tea, "received_on": long_ago})
    await g.ok("PUT", ann, f"/history/{tea['id']}/thanks", json={"thanked": True})
    pen = {"recipient_person_id": me, "giver_person_id": gran, "title": "Pen", "price": "4.50"}
    pen = await g.ok(
        "POST",
        ann,
        "/history",
        201,
        json={**pen, "currency": "EUR", "received_on": long_ago, "occasion_id": party},
    )
    await g.ok("POST", ann, f"/history/{pen['id']}/thank-you-task", 201, json={})
    return {"gran": gran, "me": me, "xmas": xmas}


async def wrapped_up(engine_for, household_id: str) -> int:
    """The household's occasions wrapped up, as the gateway's loop does: how many gifts it recorded."""
    async with session_factory(engine_for("gateway"))() as session:
        return (await wrap_up_household(session, uuid.UUID(household_id))).recorded


async def export_of(client, who, household_id: str) -> dict:
    response = await client.get(f"/api/households/{household_id}{EXPORT}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def import_as(client, who, document: dict) -> dict:
    response = await client.post(IMPORT, json=document, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_export_then_import_then_export_gives_the_same_document_apart_from_ids_and_times(
    gateway_client, engine_for
):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann, "Bakers", "Europe/Berlin")
    await a_planned_year(Gifting(gateway_client, hid), ann)
    assert await wrapped_up(engine_for, hid) == 1  # the party's roses

    first = await export_of(gateway_client, ann, hid)
    imported = await import_as(gateway_client, ann, first)
    # what the import brought is recorded already: the wrap-up finds nothing to add
    assert await wrapped_up(engine_for, imported["id"]) == 0
    again = await export_of(gateway_client, ann, imported["id"])

    assert imported["id"] != hid and imported["role"] == "admin"
    assert imported["name"] == "Bakers" and imported["timezone"] == "Europe/Berlin"
    assert apart_from_ids_and_times(again) == apart_from_ids_and_times(first)
    # the control: the document holds what was made, so the comparison compared something
    assert [
        len(first[k])
        for k in ("people", "occasions", "gifts", "lists", "budgets", "tasks", "history")
    ] == [2, 3, 4, 3, 1, 4, 4]
    [ideas] = [lst for lst in first["lists"] if lst["name"] == "For Grandma"]
    assert [c["body"] for c in ideas["comments"]] == ["Ask Dad too"]
    assert {i["status"] for i in ideas["items"]} == {"selected", "wrapped", "given"}
    assert (again["household"]["reveal"], first["household"]["reveal"]) == ("at_occasion",) * 2
    records = {r["title"]: r for r in again["history"]}
    assert {t: r["source"] for t, r in records.items()} == {
        "Gloves": "given",
        "Roses": "given",
        "Tea set": "received",
        "Pen": "received",
    }
    assert records["Tea set"]["thanked"] and not records["Pen"]["thanked"]
    assert records["Pen"]["thank_task_id"] in {t["id"] for t in again["tasks"]}
    assert [g["user_id"] for g in records["Roses"]["givers"]] == [ann.user_id]


async def test_every_imported_object_is_announced_through_the_outbox_by_the_importer(
    gateway_client, admin_db
):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann)
    await a_planned_year(Gifting(gateway_client, hid), ann)
    document = await export_of(gateway_client, ann, hid)

    imported = await import_as(gateway_client, ann, document)
    again = await export_of(gateway_client, ann, imported["id"])

    # made, then given the reveal setting the document has
    assert [e["type"] for e in await outbox_events(admin_db, imported["id"])] == [
        "giftflow.household.created.v1",
        "giftflow.household.updated.v1",
    ]
    for person in again["people"]:
        [event] = [
            e
            for e in await outbox_events(admin_db, person["id"])
            if e["type"] == "giftflow.person.created.v1"
        ]
        assert event["household"] == imported["id"] and event["data"]["actor_id"] == ann.user_id
    [cake] = [t for t in again["tasks"] if t["title"] == "Order the cake"]
    assert [e["type"] for e in await outbox_events(admin_db, cake["id"])] == [
        "giftflow.task.created.v1",
        "giftflow.task.completed.v1",
    ]


async def test_a_recipients_export_never_names_a_surprise_for_them(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    ben_p = await g.person(ann, "Ben", linked_to=ben)
    ideas = await g.new_list(ann, ben_p, "idea", name="Secret plans for B")
    hidden = await g.add_item(ann, ideas, "Hidden drone", price="99.00", tags=["surprise-tag"])
    await g.claim(ann, hidden["id"])
    wishes = await g.new_list(ben, ben_p, "wish", name="Ben wishes")
    wish = await g.add_item(ben, wishes, "Telescope")
    await g.claim(ann, wish["id"])

    texts = [
        (await gateway_client.get(f"/api/households/{hid}{path}", headers=ben.headers))
        for path in (EXPORT, f"{EXPORT}/gifts.csv", f"{EXPORT}/lists.csv")
    ]

    assert [r.status_code for r in texts] == [200, 200, 200]
    for response in texts:
        for secret in ("Hidden drone", "Secret plans", "surprise-tag", "99.00"):
            assert secret not in response.text
        assert "Telescope" in response.text  # the control: his own wish is there
    [wish_list] = texts[0].json()["lists"]
    [item] = wish_list["items"]
    assert item["claims"] == [] and item["claimed_quantity"] is None
    assert ann.user_id not in json.dumps(wish_list)


async def test_gifts_and_lists_come_as_csv_a_spreadsheet_cannot_run(gateway_client):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann)
    await a_planned_year(Gifting(gateway_client, hid), ann)

    gifts = await gateway_client.get(
        f"/api/households/{hid}{EXPORT}/gifts.csv", headers=ann.headers
    )
    lists = await gateway_client.get(
        f"/api/households/{hid}{EXPORT}/lists.csv", headers=ann.headers
    )

    assert gifts.headers["content-type"].startswith("text/csv")
    assert 'filename="gifts.csv"' in gifts.headers["content-disposition"]
    gift_rows = gifts.text.splitlines()
    assert gift_rows[0] == "title,price,currency,for,tags,url,notes,created_at"
    assert any(r.startswith("Scarf,30.00,EUR,Grandma,warm; wool") for r in gift_rows)
    assert any(r.startswith("'=SUM(A1) book") for r in gift_rows)
    assert "For Grandma,idea,Grandma,Christmas,'=SUM(A1) book,2,most_wanted,wrapped" in lists.text


async def test_children_may_not_export_and_another_household_is_not_found(gateway_client):
    hid, ann, _, cleo = await family(gateway_client)
    stranger = await sign_up(gateway_client, name="Zed")
    await new_household(gateway_client, stranger)

    for path in (EXPORT, f"{EXPORT}/gifts.csv", f"{EXPORT}/lists.csv"):
        by_child = await gateway_client.get(f"/api/households/{hid}{path}", headers=cleo.headers)
        by_stranger = await gateway_client.get(
            f"/api/households/{hid}{path}", headers=stranger.headers
        )
        assert by_child.status_code == 403 and "grown-ups" in by_child.json()["error"]["message"]
        assert by_stranger.status_code == 404 and by_stranger.json()["error"]["code"] == "not_found"


async def test_a_malformed_import_is_refused_saying_what_is_wrong(gateway_client):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann)
    await a_planned_year(Gifting(gateway_client, hid), ann)
    document = await export_of(gateway_client, ann, hid)

    not_json = await gateway_client.post(
        IMPORT, content=b"{not json", headers={**ann.headers, "content-type": "application/json"}
    )
    other_file = await gateway_client.post(IMPORT, json={"format": "vcard"}, headers=ann.headers)
    document["people"][1]["name"] = ""
    empty_name = await gateway_client.post(IMPORT, json=document, headers=ann.headers)

    assert not_json.status_code == 422 and not_json.json()["error"]["code"] == "validation_failed"
    assert other_file.status_code == 422
    assert {"field": "format", "problem": "must be one of: 'giftflow.household-export'"} in (
        other_file.json()["error"]["details"]
    )
    assert empty_name.status_code == 422, empty_name.text
    assert empty_name.json()["error"]["details"] == [
        {"field": "people.1.name", "problem": "cannot be empty"}
    ]


async def test_an_oversized_import_is_refused_before_it_is_read(gateway_client):
    ann = await sign_up(gateway_client, name="Ann")
    padding = "x" * (5 * 1024 * 1024)

    response = await gateway_client.post(
        IMPORT,
        content=json.dumps({"format": "giftflow.household-export", "padding": padding}),
        headers={**ann.headers, "content-type": "application/json"},
    )

    assert response.status_code == 413
    assert "at most 5 MB" in response.json()["error"]["message"]


async def test_an_import_refused_halfway_leaves_no_household_and_no_event(gateway_client, admin_db):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann)
    await a_planned_year(Gifting(gateway_client, hid), ann)
    document = await export_of(gateway_client, ann, hid)
    # the last task refers to a repeat rule the API refuses: found only after everything before it
    # (the household, people, gifts, lists, other tasks) was made
    document["tasks"][-1]["rrule"] = "FREQ=SECONDLY"
    events_before = await admin_db.fetchval(
        "SELECT count(*) FROM gateway.outbox WHERE cloudevent->'data'->>'actor_id' = $1",
        ann.user_id,
    )

    response = await gateway_client.post(IMPORT, json=document, headers=ann.headers)

    assert response.status_code == 422, response.text
    last = len(document["tasks"]) - 1
    assert response.json()["error"]["details"][0]["field"].startswith(f"tasks.{last}.rrule")
    mine = await gateway_client.get("/api/households", headers=ann.headers)
    assert [h["id"] for h in mine.json()] == [hid]
    events_after = await admin_db.fetchval(
        "SELECT count(*) FROM gateway.outbox WHERE cloudevent->'data'->>'actor_id' = $1",
        ann.user_id,
    )
    assert events_after == events_before


async def test_another_members_claims_and_links_stay_behind(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    gran = await g.person(ann, "Grandma")
    await g.person(ann, "Ben", linked_to=ben)
    ideas = await g.new_list(ann, gran, "idea")
    item = await g.add_item(ann, ideas, "Scarf", quantity=2)
    await g.claim(ann, item["id"])
    await g.claim(ben, item["id"])
    document = await export_of(gateway_client, ann, hid)

    imported = await import_as(gateway_client, ben, document)
    seen = await export_of(gateway_client, ben, imported["id"])

    assert [m["user_id"] for m in seen["members"]] == [ben.user_id]
    [[claim]] = [i["claims"] for lst in seen["lists"] for i in lst["items"]]
    assert claim["user_id"] == ben.user_id
    assert {p["name"]: p["linked_user_id"] for p in seen["people"]} == {
        "Grandma": None,
        "Ben": ben.user_id,
    }


async def test_a_repeating_tasks_series_comes_over_as_one_series(gateway):
    ann = await sign_up(gateway, name="Ann")
    hid = await new_household(gateway, ann)
    g = Gifting(gateway, hid)
    body = {"title": "Bins out", "due_at": "2099-01-04T19:00:00Z", "rrule": "FREQ=WEEKLY"}
    bins = await g.ok("POST", ann, "/tasks", 201, json=body)
    await g.ok("POST", ann, f"/tasks/{bins['id']}/complete")
    # the next one, as the recurring processor asks for it once it has heard of the completion
    made = await gateway.post(
        f"/api/internal/tasks/{bins['id']}/next-occurrence",
        json={"occurrence_due_at": "2099-01-11T19:00:00Z"},
        headers={"dapr-api-token": APP_TOKEN},
    )
    assert made.status_code == 201, made.text
    first = await export_of(gateway, ann, hid)

    imported = await import_as(gateway, ann, first)
    again = await export_of(gateway, ann, imported["id"])

    assert apart_from_ids_and_times(again) == apart_from_ids_and_times(first)
    done, following = again["tasks"]
    assert following["previous_task_id"] == done["id"] and done["status"] == "done"
    assert following["series_id"] == done["series_id"] == done["id"]


def _objects(value) -> list[dict]:
    """Every object of a document, nested ones too."""
    if isinstance(value, dict):
        return [value, *(o for v in value.values() for o in _objects(v))]
    if isinstance(value, list):
        return [o for v in value for o in _objects(v)]
    return []


async def test_an_exchange_is_exported_without_its_picks_and_imported_undrawn(
    gateway_client, admin_db
):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    people = {
        "ann": await g.person(ann, "Ann", linked_to=ann),
        "ben": await g.person(ann, "Ben", linked_to=ben),
        "cleo": await g.person(ann, "Cleo", linked_to=cleo),
        "grandpa": await g.person(ann, "Grandpa"),  # no member: Ann, organizing, is his proxy
    }
    xmas = await g.occasion(ann, "Christmas", "2026-12-25", [], kind="christmas")
    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    body = {
        "occasion_id": xmas,
        "name": "Family Secret Santa",
        "deadline": deadline,
        "person_ids": list(people.values()),
        "exclusions": [{"giver_person_id": people["ann"], "receiver_person_id": people["ben"]}],
        "price_min": "10.00",
        "price_max": "25.00",
        "currency": "EUR",
    }
    exchange = await g.ok("POST", ann, "/exchanges", 201, json=body)
    await g.ok("POST", ann, f"/exchanges/{exchange['id']}/draw")
    rows = await admin_db.fetch(
        "SELECT giver_person_id::text AS giver, receiver_person_id::text AS receiver "
        "FROM gateway.exchange_pick WHERE exchange_id = $1",
        exchange["id"],
    )
    picks = {r["giver"]: r["receiver"] for r in rows}
    # Ann claims a gift for her receiver, for the exchange: the link would name whom she drew
    wishes = await g.new_list(ann, picks[people["ann"]], kind="wish", occasion_id=xmas)
    item = await g.add_item(ann, wishes, "Board game", price="20.00")
    for_exchange = {"quantity": 1, "exchange_id": exchange["id"]}
    await g.ok("POST", ann, f"/items/{item['id']}/claims", 201, json=for_exchange)
    # the control: in the app, Ann sees her pick and Grandpa's, as his proxy
    seen = await g.ok("GET", ann, f"/exchanges/{exchange['id']}")
    assert {p["giver_person_id"]: p["receiver_person_id"] for p in seen["my_picks"]} == {
        people["ann"]: picks[people["ann"]],
        people["grandpa"]: picks[people["grandpa"]],
    }

    response = await gateway_client.get(f"/api/households/{hid}{EXPORT}", headers=ann.headers)
    first = response.json()

    [exported] = first["exchanges"]
    assert exported["name"] == "Family Secret Santa" and exported["organizer_id"] == ann.user_id
    assert (exported["price_min"], exported["price_max"], exported["currency"]) == (
        "10.00",
        "25.00",
        "EUR",
    )
    assert set(exported["person_ids"]) == set(people.values()) and exported["deadline"] == deadline
    assert {(x["giver_person_id"], x["receiver_person_id"]) for x in exported["exclusions"]} == {
        (people["ann"], people["ben"]),
        (people["ben"], people["ann"]),
    }
    assert exported["draw_round"] == 1 and exported["drawn_at"] is not None
    # no pick, not even the exporter's own: no object names a giver with their receiver
    assert len(picks) == 4
    for giver, receiver in picks.items():
        assert not [
            o
            for o in _objects(first)
            if {giver, receiver} <= {v for v in o.values() if isinstance(v, str)}
        ]
    for shown in ("my_picks", "receiver_name", "as_proxy", "progress"):
        assert shown not in response.text
    # the claim is Ann's as it is, but not said to be for the exchange
    [claim] = [c for lst in first["lists"] for i in lst["items"] for c in i["claims"]]
    assert claim["user_id"] == ann.user_id and claim["exchange_id"] is None
    assert response.text.count(exchange["id"]) == 1  # the exchange's own id, nothing pointing at it

    imported = await import_as(gateway_client, ann, first)
    again = await export_of(gateway_client, ann, imported["id"])

    [back] = again["exchanges"]
    assert back["drawn_at"] is None and back["draw_round"] == 1
    assert (
        apart_from_ids_and_times(again)["exchanges"] == apart_from_ids_and_times(first)["exchanges"]
    )
    [claim] = [c for lst in again["lists"] for i in lst["items"] for c in i["claims"]]
    assert claim["user_id"] == ann.user_id and claim["exchange_id"] is None
    assert [
        (e["type"], e["data"]["actor_id"]) for e in await outbox_events(admin_db, back["id"])
    ] == [("giftflow.exchange.created.v1", ann.user_id)]
    # its organizer draws again in the new household
    new = Gifting(gateway_client, imported["id"])
    redrawn = await new.ok("POST", ann, f"/exchanges/{back['id']}/draw")
    assert redrawn["draw_round"] == 2 and redrawn["drawn_at"] is not None


async def test_an_exchange_whose_day_has_passed_is_imported_as_history(gateway_client):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    taking_part = [
        await g.person(ann, "Ann", linked_to=ann),
        await g.person(ann, "Ben", linked_to=ben),
        await g.person(ann, "Cleo", linked_to=cleo),
    ]
    xmas = await g.occasion(ann, "Christmas", "2026-12-25", [], kind="christmas")
    body = {
        "occasion_id": xmas,
        "name": "Secret Santa 2019",
        "deadline": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "person_ids": taking_part,
    }
    await g.ok("POST", ann, "/exchanges", 201, json=body)
    document = await export_of(gateway_client, ann, hid)
    # as an export made years ago has it, by a member who organized it
    document["exchanges"][0]["deadline"] = "2019-12-24"
    document["exchanges"][0]["organizer_id"] = ben.user_id

    imported = await import_as(gateway_client, ann, document)
    again = await export_of(gateway_client, ann, imported["id"])

    [old] = again["exchanges"]
    assert old["deadline"] == "2019-12-24" and old["name"] == "Secret Santa 2019"
    # Ben is no member of the new household: nobody runs it, so its admin (the importer) may
    assert old["organizer_id"] is None
    new = Gifting(gateway_client, imported["id"])
    closed = await new.call("POST", ann, f"/exchanges/{old['id']}/draw", 409)
    assert "2019-12-24" in closed.json()["error"]["message"]
    # a document naming someone who is not in it is refused, saying where
    document["exchanges"][0]["person_ids"][2] = str(uuid.uuid4())
    refused = await gateway_client.post(IMPORT, json=document, headers=ann.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"] == [
        {"field": "exchanges.0.person_ids.2", "problem": "is not one of the document's people"}
    ]
