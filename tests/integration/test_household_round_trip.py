"""Property: for any household a grown-up builds through the API (its gift history included: items
marked given, gifts received, thank-yous; its gift exchanges with their exclusions, drawn or not),
export → import → export gives the same document apart from ids and times (tests/household_documents.py).
An exchange whose names were drawn comes back undrawn (its picks are never exported), with its rounds."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.household_documents import apart_from_ids_and_times
from tests.integration.accounts import new_household, sign_up
from tests.integration.gifting import Gifting

TIMEZONE = "America/New_York"
ROUND_TRIPS = settings(
    max_examples=10,
    deadline=None,
    # a failing household is reported as generated: shrinking one through the API takes many minutes
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STATUSES = ("idea", "selected", "purchased", "wrapped", "given")
NEXT = dict(zip(STATUSES, STATUSES[1:], strict=False))

items = st.fixed_dictionaries(
    {
        "quantity": st.integers(1, 3),
        "priority": st.sampled_from(["most_wanted", "normal", "nice_to_have"]),
        "price": st.none() | st.decimals(1, 500, places=2).map(str),
        "tags": st.lists(st.sampled_from(["books", "toys", "wool"]), max_size=2, unique=True),
        "claim": st.booleans(),
        "status": st.sampled_from(STATUSES),
        "comment": st.none() | st.text("abc xyz", min_size=1, max_size=20).filter(str.strip),
        "pledge": st.booleans(),
    }
)
lists = st.fixed_dictionaries(
    {
        "person": st.integers(0, 3),
        "kind": st.sampled_from(["wish", "idea"]),
        "visibility": st.sampled_from(["household", "private"]),
        "occasion": st.none() | st.integers(0, 2),
        "items": st.lists(items, max_size=3),
    }
)
tasks = st.fixed_dictionaries(
    {
        "due_in_days": st.none() | st.integers(-30, 400),
        "reminders": st.lists(st.sampled_from(["P1D", "PT2H", "P7D"]), max_size=2, unique=True),
        "rrule": st.none() | st.sampled_from(["FREQ=WEEKLY", "FREQ=MONTHLY;INTERVAL=2"]),
        "mode": st.sampled_from(["from_due", "from_completion"]),
        "turns": st.none() | st.sampled_from(["round_robin", "least_done"]),
        "done": st.booleans(),
        "about": st.sampled_from(["nothing", "person", "occasion", "item"]),
    }
)
received = st.fixed_dictionaries(
    {
        "person": st.integers(0, 3),
        "from": st.none() | st.integers(0, 3),  # a person of the household, or someone outside it
        "days_ago": st.integers(0, 800),
        "occasion": st.none() | st.integers(0, 2),
        "thanked": st.booleans(),
        "task": st.booleans(),
    }
)
exchanges = st.fixed_dictionaries(
    {
        "occasion": st.integers(0, 2),
        "people": st.lists(st.integers(0, 3), min_size=3, max_size=4, unique=True),
        # (giver, receiver, both ways), by their place among the exchange's people
        "exclusions": st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 3), st.booleans()), max_size=3
        ),
        "price": st.none()
        | st.lists(st.decimals(1, 100, places=2), min_size=2, max_size=2).map(sorted),
        "in_days": st.integers(2, 400),
        "draw": st.booleans(),
    }
)
households = st.fixed_dictionaries(
    {
        "people": st.integers(1, 4),
        "me_linked": st.booleans(),
        "occasions": st.lists(
            st.fixed_dictionaries(
                {
                    "date": st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
                    "yearly": st.booleans(),
                    "people": st.lists(st.integers(0, 3), max_size=3, unique=True),
                    "budget": st.none() | st.decimals(1, 300, places=0).map(str),
                }
            ),
            max_size=3,
        ),
        "lists": st.lists(lists, max_size=4),
        "tasks": st.lists(tasks, max_size=3),
        "received": st.lists(received, max_size=3),
        "exchanges": st.lists(exchanges, max_size=2),
    }
)


async def build(g: Gifting, ann, plan: dict) -> None:
    """The plan, made through the API as a person would; what the API refuses of it (an idea list for
    oneself) is left out, as a person would leave it."""
    people = [
        await g.person(ann, f"Person {n}", linked_to=ann if n == 0 and plan["me_linked"] else None)
        for n in range(plan["people"])
    ]
    mine = {people[0]} if plan["me_linked"] else set()
    occasions = []
    for n, o in enumerate(plan["occasions"]):
        linked = [people[p] for p in o["people"] if p < len(people)]
        occasion = await g.occasion(
            ann, f"Occasion {n}", o["date"].isoformat(), linked, recurs_yearly=o["yearly"]
        )
        occasions.append(occasion)
        for p in linked:
            if o["budget"] and p not in mine:
                body = {"amount": o["budget"], "currency": "EUR"}
                await g.ok("PUT", ann, f"/occasions/{occasion}/budgets/{p}", json=body)
    some_item = None
    for n, spec in enumerate(plan["lists"]):
        person = people[spec["person"] % len(people)]
        for_me = person in mine
        occasion = (
            occasions[spec["occasion"]]
            if spec["occasion"] is not None and spec["occasion"] < len(occasions)
            else None
        )
        list_id = await g.new_list(
            ann,
            person,
            "wish" if for_me else spec["kind"],
            name=f"List {n}",
            occasion_id=occasion,
            visibility=spec["visibility"],
        )
        for m, it in enumerate(spec["items"]):
            gift = {"tags": it["tags"]}
            item = await g.add_item(
                ann, list_id, f"Gift {n}.{m}", it["quantity"], it["price"], it["priority"], **gift
            )
            if it["comment"]:
                await g.ok(
                    "POST",
                    ann,
                    f"/gifts/{item['gift_id']}/comments",
                    201,
                    json={"body": it["comment"]},
                )
            if for_me:
                continue  # a wisher does not claim, pledge or move their own wishes along
            some_item = item["id"]
            if it["claim"]:
                await g.claim(ann, item["id"], it["quantity"])
            if it["pledge"] and it["price"]:
                await g.ok(
                    "PUT", ann, f"/gifts/{item['gift_id']}/pledges/mine", 201, json={"amount": "5"}
                )
            status = "idea"
            while status != it["status"]:
                status = NEXT[status]
                await g.move(ann, item["id"], status)
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    for n, r in enumerate(plan.get("received", [])):
        person = people[r["person"] % len(people)]
        giver = people[r["from"] % len(people)] if r["from"] is not None else None
        body = {
            "recipient_person_id": person,
            "title": f"Received {n}",
            "received_on": (today - dt.timedelta(days=r["days_ago"])).isoformat(),
        }
        if giver is not None and giver != person:
            body["giver_person_id"] = giver
        else:
            body["giver_name"] = f"Aunt {n}"
        if r["occasion"] is not None and r["occasion"] < len(occasions):
            body["occasion_id"] = occasions[r["occasion"]]
        record = await g.ok("POST", ann, "/history", 201, json=body)
        if r["task"]:
            await g.ok("POST", ann, f"/history/{record['id']}/thank-you-task", 201, json={})
        if r["thanked"]:
            await g.ok("PUT", ann, f"/history/{record['id']}/thanks", json={"thanked": True})
    for n, x in enumerate(plan.get("exchanges", [])):
        taking_part = [people[p] for p in x["people"] if p < len(people)]
        if len(taking_part) < 3 or x["occasion"] >= len(occasions):
            continue  # an exchange needs three people and an occasion
        body = {
            "occasion_id": occasions[x["occasion"]],
            "name": f"Exchange {n}",
            "deadline": (today + dt.timedelta(days=x["in_days"])).isoformat(),
            "person_ids": taking_part,
            "exclusions": [
                {
                    "giver_person_id": taking_part[giver % len(taking_part)],
                    "receiver_person_id": taking_part[receiver % len(taking_part)],
                    "both_ways": both_ways,
                }
                for giver, receiver, both_ways in x["exclusions"]
                if giver % len(taking_part) != receiver % len(taking_part)
            ],
        }
        if x["price"]:
            body |= {"price_min": str(x["price"][0]), "price_max": str(x["price"][1])}
            body["currency"] = "EUR"
        exchange = await g.ok("POST", ann, "/exchanges", 201, json=body)
        if x["draw"]:  # the exclusions may leave no draw possible: then it stays undrawn
            await g.call("POST", ann, f"/exchanges/{exchange['id']}/draw")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for n, t in enumerate(plan["tasks"]):
        body: dict = {"title": f"Task {n}"}
        if t["due_in_days"] is not None:
            body |= {
                "due_at": (now + dt.timedelta(days=400)).isoformat(),
                "reminders": t["reminders"],
            }
            if t["rrule"] and not t["done"]:  # a done repeating task's next one comes later
                body |= {"rrule": t["rrule"], "recurrence_mode": t["mode"]}
                if t["turns"]:
                    body |= {"rotation": [ann.user_id], "rotation_mode": t["turns"]}
        about = {
            "person": people[0],
            "occasion": occasions[0] if occasions else None,
            "item": some_item,
        }
        if t["about"] != "nothing" and about[t["about"]]:
            body[f"{t['about'] if t['about'] != 'item' else 'list_item'}_id"] = about[t["about"]]
        task = await g.ok("POST", ann, "/tasks", 201, json=body)
        if t["due_in_days"] is not None:
            due = (now + dt.timedelta(days=t["due_in_days"], hours=1)).isoformat()
            await g.ok("PATCH", ann, f"/tasks/{task['id']}", json={"due_at": due})
        if t["done"]:
            await g.ok("POST", ann, f"/tasks/{task['id']}/complete")


# always tried: a chore that repeats after it was done, taken in turns
ROTATING_CHORE = {
    "people": 1,
    "me_linked": False,
    "occasions": [],
    "lists": [],
    "tasks": [
        {
            "due_in_days": 3,
            "reminders": ["P1D"],
            "rrule": "FREQ=MONTHLY;INTERVAL=2",
            "mode": "from_completion",
            "turns": "least_done",
            "done": False,
            "about": "nothing",
        }
    ],
}

# always tried: a Secret Santa among four, partners excluded both ways, drawn
SECRET_SANTA = {
    "people": 4,
    "me_linked": True,
    "occasions": [
        {"date": dt.date(2026, 12, 25), "yearly": True, "people": [], "budget": None},
    ],
    "lists": [],
    "tasks": [],
    "exchanges": [
        {
            "occasion": 0,
            "people": [0, 1, 2, 3],
            "exclusions": [(0, 1, True), (2, 3, False)],
            "price": ["10.00", "25.00"],
            "in_days": 30,
            "draw": True,
        }
    ],
}


@ROUND_TRIPS
@given(plan=households)
@example(plan=ROTATING_CHORE)
@example(plan=SECRET_SANTA)
async def test_export_import_export_is_the_same_document_apart_from_ids_and_times(
    gateway_client, plan
):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann, "Round trip", TIMEZONE)
    await build(Gifting(gateway_client, hid), ann, plan)

    first = (await gateway_client.get(f"/api/households/{hid}/export", headers=ann.headers)).json()
    made = await gateway_client.post("/api/households/import", json=first, headers=ann.headers)
    assert made.status_code == 201, made.text
    again = (
        await gateway_client.get(f"/api/households/{made.json()['id']}/export", headers=ann.headers)
    ).json()

    assert apart_from_ids_and_times(again) == apart_from_ids_and_times(first)
    assert len(first["people"]) == plan["people"]  # the control: what was built is in the document
    assert len([r for r in first["history"] if r["source"] == "received"]) == len(
        plan.get("received", [])
    )
    # an exchange comes back as it was, but undrawn, its rounds so far still counted
    assert sorted((x["name"], x["draw_round"]) for x in again["exchanges"]) == sorted(
        (x["name"], x["draw_round"]) for x in first["exchanges"]
    )
    assert all(x["drawn_at"] is None for x in again["exchanges"])
    if plan == SECRET_SANTA:
        [santa] = first["exchanges"]
        assert santa["drawn_at"] is not None and santa["draw_round"] == 1
        assert len(santa["person_ids"]) == 4 and len(santa["exclusions"]) == 3
    if plan == ROTATING_CHORE:
        [chore] = first["tasks"]
        assert (chore["rotation"], chore["rotation_mode"]) == ([ann.user_id], "least_done")
