"""Budgets and the dashboard: who is covered for the coming occasions, spend against budget, my claims."""

import datetime as dt

from tests.integration.accounts import family
from tests.integration.gifting import Gifting, outbox_events


async def test_the_dashboard_shows_who_has_no_gift_yet_and_spend_against_budget(gateway_client):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    today = dt.date.today()
    abe, bea = await g.person(ann, "Abe"), await g.person(ann, "Bea")
    cleo_p = await g.person(ann, "Cleo", linked_to=cleo)
    xmas = await g.occasion(
        ann,
        "Christmas",
        (today + dt.timedelta(days=30)).isoformat(),
        [abe, bea, cleo_p],
        kind="christmas",
        recurs_yearly=False,
    )
    await g.occasion(
        ann, "Far away", (today + dt.timedelta(days=200)).isoformat(), [abe], recurs_yearly=False
    )
    await g.occasion(
        ann, "Long past", (today - dt.timedelta(days=3)).isoformat(), [abe], recurs_yearly=False
    )
    abe_list = await g.new_list(ann, abe, "idea", occasion_id=xmas)
    watch = await g.add_item(ann, abe_list, "Watch", price="80.00")
    scarf = await g.add_item(ann, abe_list, "Scarf", quantity=2, price="15.00")
    await g.add_item(ann, abe_list, "Just an idea", price="500.00")
    await g.claim(ben, scarf["id"], 2)
    await g.move(ann, watch["id"], "selected", "purchased")
    await g.ok(
        "PUT", ann, f"/occasions/{xmas}/budgets/{abe}", json={"amount": "100.00", "currency": "EUR"}
    )
    cleo_ideas = await g.new_list(ann, cleo_p, "idea", occasion_id=xmas)
    await g.claim(ann, (await g.add_item(ann, cleo_ideas, "Pony", price="999.00"))["id"])

    board = await g.ok("GET", ben, "/dashboard")
    assert [o["occasion"]["name"] for o in board["occasions"]] == ["Christmas"]
    [christmas] = board["occasions"]
    assert (
        christmas["days_until"] == 30
        and christmas["date"] == (today + dt.timedelta(days=30)).isoformat()
    )
    people = {p["name"]: p for p in christmas["people"]}
    assert people["Abe"]["has_gift"] and people["Abe"]["gift_count"] == 2
    assert people["Abe"]["spend"] == [{"currency": "EUR", "claimed": "30.00", "purchased": "80.00"}]
    assert people["Abe"]["budget"] == {"amount": "100.00", "currency": "EUR"}
    assert not people["Bea"]["has_gift"] and people["Bea"]["spend"] == []
    assert people["Cleo"]["has_gift"]
    assert set(christmas["people_without_gift"]) == {bea}
    assert christmas["spend"] == [{"currency": "EUR", "claimed": "1029.00", "purchased": "80.00"}]
    assert [(c["gift_title"], c["quantity"], c["person_id"]) for c in board["my_claims"]] == [
        ("Scarf", 2, abe)
    ]
    assert board["my_open_tasks"] == []

    # Cleo's own coverage, spend and budget are not hers to see; the others' are
    hers = await g.ok("GET", cleo, "/dashboard")
    [christmas] = hers["occasions"]
    assert {p["name"] for p in christmas["people"]} == {"Abe", "Bea"}
    # a child sees who is covered, not what it costs against whose budget
    assert christmas["spend"] == []
    assert all(p["spend"] == [] and p["budget"] is None for p in christmas["people"])
    assert {p["name"]: p["has_gift"] for p in christmas["people"]} == {"Abe": True, "Bea": False}
    year = await g.ok("GET", ben, "/dashboard", params={"days": 365})
    assert [o["occasion"]["name"] for o in year["occasions"]] == ["Christmas", "Far away"]


async def test_a_budget_shows_what_is_left_and_is_kept_from_its_person(gateway_client, admin_db):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    cleo_p = await g.person(ann, "Cleo", linked_to=cleo)
    birthday = await g.occasion(ann, "Cleo's birthday", "2016-03-03", [cleo_p])
    ideas = await g.new_list(ann, cleo_p, "idea", occasion_id=birthday)
    await g.claim(ben, (await g.add_item(ann, ideas, "Paints", price="24.50"))["id"])

    budget = await g.ok(
        "PUT",
        ann,
        f"/occasions/{birthday}/budgets/{cleo_p}",
        json={"amount": "60", "currency": "EUR"},
    )
    assert budget["remaining"] == "35.50" and budget["spend"][0]["claimed"] == "24.50"
    raised = await g.ok(
        "PUT",
        ben,
        f"/occasions/{birthday}/budgets/{cleo_p}",
        json={"amount": "80", "currency": "EUR"},
    )
    assert raised["id"] == budget["id"] and raised["remaining"] == "55.50"
    budgets = await g.ok("GET", ben, "/budgets", params={"person_id": cleo_p})
    assert [b["amount"] for b in budgets["items"]] == ["80.00"]
    assert (await g.ok("GET", cleo, "/budgets"))["items"] == []
    assert (
        await g.call(
            "PUT",
            cleo,
            f"/occasions/{birthday}/budgets/{cleo_p}",
            json={"amount": "1000", "currency": "EUR"},
        )
    ).status_code == 403
    assert (
        await g.call("DELETE", cleo, f"/occasions/{birthday}/budgets/{cleo_p}")
    ).status_code == 403

    events = [
        e for e in await outbox_events(admin_db, cleo_p) if e["type"].startswith("giftflow.budget")
    ]
    assert [e["type"] for e in events] == ["giftflow.budget.set.v1"] * 2
    assert all(e["data"]["hidden_from"] == [cleo.user_id] for e in events)
    await g.ok("DELETE", ann, f"/occasions/{birthday}/budgets/{cleo_p}", 204)
    assert (await g.ok("GET", ann, "/budgets"))["items"] == []


async def test_my_tasks_on_the_dashboard_are_my_open_ones_soonest_first(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=9)).isoformat()
    wrap = await g.ok(
        "POST",
        ann,
        "/tasks",
        201,
        json={"title": "Wrap the presents", "assignee_id": ben.user_id, "due_at": later},
    )
    await g.ok(
        "POST",
        ann,
        "/tasks",
        201,
        json={"title": "Order the cake", "assignee_id": ben.user_id, "due_at": soon},
    )
    done = await g.ok(
        "POST", ann, "/tasks", 201, json={"title": "Buy paper", "assignee_id": ben.user_id}
    )
    await g.ok("POST", ben, f"/tasks/{done['id']}/complete")
    await g.ok(
        "POST", ann, "/tasks", 201, json={"title": "Ann's own chore", "assignee_id": ann.user_id}
    )

    bens = (await g.ok("GET", ben, "/dashboard"))["my_open_tasks"]
    assert [t["title"] for t in bens] == ["Order the cake", "Wrap the presents"]
    assert bens[1]["id"] == wrap["id"]
    assert [t["title"] for t in (await g.ok("GET", ann, "/dashboard"))["my_open_tasks"]] == [
        "Ann's own chore"
    ]
