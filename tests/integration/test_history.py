"""Gift history through the gateway's API on a real Postgres: a received gift is recorded (by a grown-up
for anyone, by a child for themselves), read back, found by person, year and giver, and removed by whoever
recorded it; a gift the household gave reaches its recipient only once the household's reveal setting
says so, and a change of the setting decides it again, both ways; a child is told Santa, and another
child never sees Santa's gift; the thank-you ledger and its task (through the tasks use case); a
person's history by year and occasion; the "you gave this before" search; another household reaches none
of it; bad input is a 4xx a person can act on.

Gifts the household gave are written by the occasion wrap-up; here they are put in the database as it
would write them."""

import datetime as dt
import uuid
import zoneinfo

import httpx
import pytest

from tests.integration.accounts import Account, family, invite_and_join, outbox_events
from tests.integration.gifting import Gifting

TODAY = dt.date.today  # the household lives in UTC


@pytest.fixture
async def home(gateway_client: httpx.AsyncClient):
    """Ann (admin), Ben (adult), Cleo and Dot (children), each linked to their person, and Grandma, who
    is no member. The household's time zone is UTC."""
    household_id, ann, ben, cleo = await family(gateway_client)
    dot = await invite_and_join(gateway_client, household_id, admin=ann, role="child", name="Dot")
    g = Gifting(gateway_client, household_id)
    people = {
        "ann": await g.person(ann, "Ann", linked_to=ann),
        "ben": await g.person(ann, "Ben", linked_to=ben),
        "cleo": await g.person(ann, "Cleo", linked_to=cleo),
        "dot": await g.person(ann, "Dot", linked_to=dot),
        "grandma": await g.person(ann, "Grandma"),
    }
    return g, {"ann": ann, "ben": ben, "cleo": cleo, "dot": dot}, people


async def given(
    admin_db,
    g: Gifting,
    recipient: str,
    title: str,
    occurs_on: dt.date,
    givers: list[Account],
    *,
    from_santa: bool = False,
    private_to: list[Account] = (),  # type: ignore[assignment]
    occasion_id: str | None = None,
) -> str:
    """A gift the household gave, as the wrap-up records it."""
    record_id = uuid.uuid4()
    await admin_db.execute(
        """INSERT INTO gateway.gift_record (id, household_id, source, recipient_person_id,
               occasion_id, occurs_on, title, price, currency, from_santa, giver_user_ids,
               private_to, created_at)
           VALUES ($1, $2, 'given', $3, $4, $5, $6, 25.00, 'EUR', $7, $8, $9, now())""",
        record_id,
        uuid.UUID(g.household_id),
        uuid.UUID(recipient),
        uuid.UUID(occasion_id) if occasion_id else None,
        occurs_on,
        title,
        from_santa,
        [uuid.UUID(a.user_id) for a in givers],
        [uuid.UUID(a.user_id) for a in private_to],
    )
    return str(record_id)


async def received(g: Gifting, who: Account, expect: int = 201, **body) -> dict:
    return await g.ok("POST", who, "/history", expect, json=body)


async def titles(g: Gifting, who: Account, **params) -> list[str]:
    page = await g.ok("GET", who, "/history", params=params)
    return [r["title"] for r in page["items"]]


async def reveal(g: Gifting, admin: Account, setting: str, days: int | None = None) -> dict:
    body = {"reveal": setting} | ({"reveal_after_days": days} if days else {})
    response = await g.client.patch(
        f"/api/households/{g.household_id}", json=body, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def problem(response: httpx.Response, field: str) -> str:
    """What a 422 says about one field."""
    assert response.status_code == 422, response.text
    [detail] = [d for d in response.json()["error"]["details"] if d["field"] == field]
    return detail["problem"]


async def test_a_grown_up_records_a_gift_received_from_someone_outside_the_household(
    home, admin_db
):
    g, m, people = home
    record = await received(
        g,
        m["ben"],
        recipient_person_id=people["cleo"],
        giver_name="Aunt Ruth",
        title="Wool scarf",
        received_on=(TODAY() - dt.timedelta(days=2)).isoformat(),
        price="19.90",
        currency="eur",
        notes="Red, hand-knitted",
    )
    assert record["source"] == "received" and record["recipient_name"] == "Cleo"
    assert record["givers"] == [{"user_id": None, "person_id": None, "name": "Aunt Ruth"}]
    assert record["giver_name"] == "Aunt Ruth" and record["giver_person_id"] is None
    assert (record["price"], record["currency"]) == ("19.90", "EUR")
    assert record["revealed"] is True and record["reveals_on"] is None
    assert record["thanked"] is False and record["recorded_by"] == m["ben"].user_id
    assert record["year"] == (TODAY() - dt.timedelta(days=2)).year
    # the recipient sees it at once: it is theirs, not a surprise
    assert await g.ok("GET", m["cleo"], f"/history/{record['id']}") == record
    [event] = await outbox_events(admin_db, record["id"], "gift_record.recorded")
    assert event["data"]["source"] == "received"
    assert event["data"]["giver_names"] == ["Aunt Ruth"]
    assert event["data"]["hidden_from"] == [] and event["data"]["hidden_persons"] == []


async def test_a_gift_from_a_person_of_the_household_names_them_and_their_member(home):
    g, m, people = home
    record = await received(
        g,
        m["ann"],
        recipient_person_id=people["grandma"],
        giver_person_id=people["ben"],
        title="Photo album",
        received_on=TODAY().isoformat(),
    )
    assert record["givers"] == [
        {"user_id": m["ben"].user_id, "person_id": people["ben"], "name": "Ben"}
    ]


async def test_a_child_records_only_what_they_received_themselves(home):
    g, m, people = home
    mine = await received(
        g,
        m["cleo"],
        recipient_person_id=people["cleo"],
        giver_person_id=people["grandma"],
        title="Kite",
        received_on=TODAY().isoformat(),
    )
    assert mine["recorded_by"] == m["cleo"].user_id
    refused = await g.call(
        "POST",
        m["cleo"],
        "/history",
        json={
            "recipient_person_id": people["dot"],
            "giver_name": "Uncle Tom",
            "title": "Ball",
            "received_on": TODAY().isoformat(),
        },
    )
    assert refused.status_code == 403
    assert "only the gifts they received themselves" in refused.json()["error"]["message"]


async def test_a_recipient_sees_a_given_gift_only_once_revealed_and_the_setting_decides_it_both_ways(
    home, admin_db
):
    g, m, people = home
    three_days_ago = TODAY() - dt.timedelta(days=3)
    bike = await given(admin_db, g, people["cleo"], "Red bike", three_days_ago, [m["ann"]])
    today = await given(admin_db, g, people["cleo"], "Pogo stick", TODAY(), [m["ben"]])
    household = await reveal(g, m["ann"], "after_days", 1)  # the default, said out loud
    assert (household["reveal"], household["reveal_after_days"]) == ("after_days", 1)

    # a day after: the bike (three days ago) is Cleo's to see, today's gift is not yet
    assert await titles(g, m["cleo"]) == ["Red bike"]
    shown = await g.ok("GET", m["cleo"], f"/history/{bike}")
    assert shown["revealed"] is True
    assert shown["reveals_on"] == (three_days_ago + dt.timedelta(days=1)).isoformat()
    assert shown["givers"] == [
        {"user_id": m["ann"].user_id, "person_id": people["ann"], "name": "Ann"}
    ]
    # on every route, her unrevealed gift is answered as an id that was never there
    for method, path, body in (
        ("GET", "/history/{}", None),
        ("DELETE", "/history/{}", None),
        ("PUT", "/history/{}/thanks", {"thanked": True}),
        ("POST", "/history/{}/thank-you-task", {}),
    ):
        hidden = await g.call(method, m["cleo"], path.format(today), json=body)
        absent = await g.call(method, m["cleo"], path.format(uuid.uuid4()), json=body)
        assert (hidden.status_code, hidden.json()) == (404, absent.json()), (method, path)
    # the grown-ups see both, and whether Cleo may
    by_ann = {r["title"]: r for r in (await g.ok("GET", m["ann"], "/history"))["items"]}
    assert by_ann["Pogo stick"]["revealed"] is False and by_ann["Red bike"]["revealed"] is True

    # never: nothing the household gave reaches her, in no answer
    await reveal(g, m["ann"], "never")
    assert await titles(g, m["cleo"]) == []
    assert (await g.call("GET", m["cleo"], f"/history/{bike}")).status_code == 404
    assert await g.ok("GET", m["cleo"], "/history/similar", params={"title": "red bike"}) == []
    cleo_history = await g.ok("GET", m["cleo"], f"/people/{people['cleo']}/history")
    assert cleo_history["years"] == []
    assert (await g.ok("GET", m["ann"], f"/history/{bike}"))["reveals_on"] is None

    # five days after: still hidden (three days ago); on the day itself: both
    await reveal(g, m["ann"], "after_days", 5)
    assert await titles(g, m["cleo"]) == []
    await reveal(g, m["ann"], "at_occasion")
    assert set(await titles(g, m["cleo"])) == {"Red bike", "Pogo stick"}
    assert (await g.ok("GET", m["cleo"], f"/history/{today}"))["reveals_on"] == (
        TODAY().isoformat()
    )


async def test_a_child_is_told_santa_brought_it_and_no_other_child_sees_it(home, admin_db):
    g, m, people = home
    sledge = await given(
        admin_db,
        g,
        people["cleo"],
        "Sledge",
        TODAY() - dt.timedelta(days=10),
        [m["ann"], m["ben"]],
        from_santa=True,
    )
    to_cleo = await g.ok("GET", m["cleo"], f"/history/{sledge}")
    assert to_cleo["givers"] == [{"user_id": None, "person_id": None, "name": "Santa"}]
    assert m["ann"].user_id not in str(to_cleo) and m["ben"].user_id not in str(to_cleo)
    # Dot, another child, finds it nowhere
    assert (await g.call("GET", m["dot"], f"/history/{sledge}")).status_code == 404
    assert await titles(g, m["dot"]) == []
    assert await g.ok("GET", m["dot"], "/history/similar", params={"title": "sledge"}) == []
    of_cleo = await g.ok("GET", m["dot"], f"/people/{people['cleo']}/history")
    assert of_cleo["years"] == []
    of_ann = await g.ok("GET", m["dot"], f"/people/{people['ann']}/history")
    assert of_ann["years"] == []
    # the grown-ups see who gave it
    to_ben = await g.ok("GET", m["ben"], f"/history/{sledge}")
    assert [x["name"] for x in to_ben["givers"]] == ["Ann", "Ben"]


async def test_a_secret_gift_is_seen_only_by_those_it_is_kept_for_and_later_its_recipient(
    home, admin_db
):
    g, m, people = home
    secret = await given(
        admin_db,
        g,
        people["cleo"],
        "Exchange book",
        TODAY() - dt.timedelta(days=5),
        [m["ben"]],
        private_to=[m["ben"]],
    )
    assert (await g.call("GET", m["ann"], f"/history/{secret}")).status_code == 404
    assert await titles(g, m["ann"]) == []
    assert (await g.ok("GET", m["ben"], f"/history/{secret}"))["title"] == "Exchange book"
    assert (await g.ok("GET", m["cleo"], f"/history/{secret}"))["title"] == "Exchange book"
    # Ben may not thank for his own gift, but Cleo may; the event is only for those who know
    thanked = await g.ok("PUT", m["cleo"], f"/history/{secret}/thanks", json={"thanked": True})
    assert thanked["thanked"] is True
    [event] = await outbox_events(admin_db, secret, "gift_record.thanked")
    assert set(event["data"]["only_for"]) == {m["ben"].user_id, m["cleo"].user_id}
    assert m["ann"].user_id in event["data"]["hidden_from"]


async def test_the_thank_you_ledger_with_its_task(home, admin_db):
    g, m, people = home
    scarf = await received(
        g,
        m["ann"],
        recipient_person_id=people["cleo"],
        giver_person_id=people["grandma"],
        title="Wool scarf",
        received_on=(TODAY() - dt.timedelta(days=1)).isoformat(),
    )
    task = await g.ok(
        "POST", m["ann"], f"/history/{scarf['id']}/thank-you-task", 201, json={"due_in_days": 2}
    )
    assert task["title"] == "Thank Grandma for the Wool scarf"
    assert task["assignee_id"] == m["cleo"].user_id  # the recipient's own account
    assert task["person_id"] == people["grandma"] and task["status"] == "open"
    due = dt.datetime.fromisoformat(task["due_at"]).astimezone(zoneinfo.ZoneInfo("UTC"))
    assert (due.date(), due.time()) == (TODAY() + dt.timedelta(days=2), dt.time(18))
    # through the tasks use case: its event, with its reminder, for the reminder service
    [created] = await outbox_events(admin_db, task["id"], "task.created")
    assert created["data"]["reminder_offsets"] == ["P1D"]
    record = await g.ok("GET", m["cleo"], f"/history/{scarf['id']}")
    assert record["thank_task_id"] == task["id"]

    again = await g.call("POST", m["ann"], f"/history/{scarf['id']}/thank-you-task", json={})
    assert again.status_code == 409 and "open thank-you task" in again.json()["error"]["message"]
    # Dot is a child and not its recipient
    not_hers = await g.call(
        "PUT", m["dot"], f"/history/{scarf['id']}/thanks", json={"thanked": True}
    )
    assert not_hers.status_code == 403

    thanked = await g.ok("PUT", m["cleo"], f"/history/{scarf['id']}/thanks", json={"thanked": True})
    assert thanked["thanked"] is True and thanked["thanked_at"] is not None
    assert (await g.ok("GET", m["ann"], f"/tasks/{task['id']}"))["status"] == "done"
    assert await outbox_events(admin_db, task["id"], "task.completed")
    [event] = await outbox_events(admin_db, scarf["id"], "gift_record.thanked")
    assert event["data"]["thanked"] is True and event["data"]["hidden_from"] == []
    assert await titles(g, m["ann"], thanked="false") == []
    assert await titles(g, m["ann"], thanked="true") == ["Wool scarf"]
    # thanked twice is thanked once; a task for a gift thanked for already is refused
    await g.ok("PUT", m["cleo"], f"/history/{scarf['id']}/thanks", json={"thanked": True})
    assert len(await outbox_events(admin_db, scarf["id"], "gift_record.thanked")) == 1
    late = await g.call("POST", m["ann"], f"/history/{scarf['id']}/thank-you-task", json={})
    assert late.status_code == 409 and "thanked for already" in late.json()["error"]["message"]
    # taken back
    undone = await g.ok("PUT", m["ann"], f"/history/{scarf['id']}/thanks", json={"thanked": False})
    assert undone["thanked"] is False and undone["thanked_at"] is None


async def test_a_given_gift_is_thanked_for_only_after_its_reveal(home, admin_db):
    g, m, people = home
    puzzle = await given(admin_db, g, people["cleo"], "Puzzle", TODAY(), [m["ben"]])
    for method, path, body in (
        ("PUT", f"/history/{puzzle}/thanks", {"thanked": True}),
        ("POST", f"/history/{puzzle}/thank-you-task", {}),
    ):
        early = await g.call(method, m["ann"], path, json=body)
        assert early.status_code == 409, early.text
        assert "not revealed to Cleo yet" in early.json()["error"]["message"]
    assert await titles(g, m["ann"], thanked="false") == []  # nothing owed before the reveal
    await reveal(g, m["ann"], "at_occasion")
    assert await titles(g, m["ann"], thanked="false") == ["Puzzle"]
    task = await g.ok("POST", m["ann"], f"/history/{puzzle}/thank-you-task", 201, json={})
    assert task["title"] == "Thank Ben for the Puzzle"
    assert task["person_id"] == people["ben"]


async def test_a_thank_you_task_for_santas_gift_names_neither_giver_nor_gift(home, admin_db):
    g, m, people = home
    sledge = await given(
        admin_db,
        g,
        people["cleo"],
        "Sledge",
        TODAY() - dt.timedelta(days=9),
        [m["ann"]],
        from_santa=True,
    )
    task = await g.ok("POST", m["ben"], f"/history/{sledge}/thank-you-task", 201, json={})
    assert "Sledge" not in task["title"] and "Ann" not in task["title"]
    assert task["person_id"] is None


async def test_a_received_gift_is_removed_by_its_recorder_or_an_admin_and_a_given_one_stays(
    home, admin_db
):
    g, m, people = home
    kite = await received(
        g,
        m["ben"],
        recipient_person_id=people["dot"],
        giver_name="Neighbour",
        title="Kite",
        received_on=TODAY().isoformat(),
    )
    task = await g.ok("POST", m["ben"], f"/history/{kite['id']}/thank-you-task", 201, json={})
    refused = await g.call("DELETE", m["cleo"], f"/history/{kite['id']}")
    assert refused.status_code == 403
    await g.ok("DELETE", m["ann"], f"/history/{kite['id']}", 204)
    assert (await g.call("GET", m["ben"], f"/history/{kite['id']}")).status_code == 404
    assert await outbox_events(admin_db, kite["id"], "gift_record.deleted")
    # its thank-you is owed to nobody now
    assert (await g.call("GET", m["ben"], f"/tasks/{task['id']}")).status_code == 404
    assert await outbox_events(admin_db, task["id"], "task.deleted")

    mine = await received(
        g,
        m["ben"],
        recipient_person_id=people["ben"],
        giver_name="Colleague",
        title="Mug",
        received_on=TODAY().isoformat(),
    )
    await g.ok("DELETE", m["ben"], f"/history/{mine['id']}", 204)

    bike = await given(admin_db, g, people["dot"], "Bike", TODAY(), [m["ann"]])
    stays = await g.call("DELETE", m["ann"], f"/history/{bike}")
    assert stays.status_code == 409 and "stays" in stays.json()["error"]["message"]


async def test_a_persons_history_by_year_and_occasion_what_they_got_and_what_they_gave(
    home, admin_db
):
    g, m, people = home
    this_year = TODAY().year
    christmas = await g.occasion(
        m["ann"], "Christmas", f"{this_year - 1}-12-25", [people["grandma"]], kind="christmas"
    )
    last_christmas = dt.date(this_year - 1, 12, 25)
    await given(
        admin_db, g, people["grandma"], "Teapot", last_christmas, [m["ann"]], occasion_id=christmas
    )
    await given(
        admin_db,
        g,
        people["grandma"],
        "Slippers",
        last_christmas,
        [m["ben"]],
        occasion_id=christmas,
    )
    await received(
        g,
        m["ann"],
        recipient_person_id=people["cleo"],
        giver_person_id=people["grandma"],
        title="Storybook",
        received_on=last_christmas.isoformat(),
        occasion_id=christmas,
    )
    await received(
        g,
        m["ann"],
        recipient_person_id=people["grandma"],
        giver_person_id=people["ann"],
        title="Flowers",
        received_on=TODAY().isoformat(),
    )
    history = await g.ok("GET", m["ben"], f"/people/{people['grandma']}/history")
    assert history["name"] == "Grandma"
    assert [y["year"] for y in history["years"]] == sorted({this_year, this_year - 1}, reverse=True)
    last = next(y for y in history["years"] if y["year"] == this_year - 1)
    [xmas] = last["occasions"]
    assert (xmas["occasion_id"], xmas["occasion_name"]) == (christmas, "Christmas")
    assert sorted(r["title"] for r in xmas["to_them"]) == ["Slippers", "Teapot"]
    assert [r["title"] for r in xmas["from_them"]] == ["Storybook"]
    # what Ann gave: her member is among the givers, or she is named as the giver
    of_ann = await g.ok("GET", m["ben"], f"/people/{people['ann']}/history")
    gave = [r["title"] for y in of_ann["years"] for o in y["occasions"] for r in o["from_them"]]
    assert sorted(gave) == ["Flowers", "Teapot"]
    assert sorted(await titles(g, m["ben"], giver_person_id=people["ann"])) == [
        "Flowers",
        "Teapot",
    ]
    assert sorted(await titles(g, m["ben"], year=this_year - 1)) == [
        "Slippers",
        "Storybook",
        "Teapot",
    ]
    assert await titles(g, m["ben"], occasion_id=christmas, person_id=people["cleo"]) == [
        "Storybook"
    ]
    assert await titles(g, m["ben"], source="received", person_id=people["grandma"]) == ["Flowers"]


async def test_the_history_is_read_in_pages_newest_first(home, admin_db):
    g, m, people = home
    for days in range(5):
        await given(
            admin_db,
            g,
            people["grandma"],
            f"Gift {days}",
            TODAY() - dt.timedelta(days=days),
            [m["ann"]],
        )
    # hidden ones in between (Santa's, for Dot) leave no gap and no cursor to an empty page
    for days in range(3):
        await given(
            admin_db,
            g,
            people["ben"],
            f"Santa {days}",
            TODAY() - dt.timedelta(days=days),
            [m["ann"]],
            from_santa=True,
        )
    seen, cursor = [], None
    while True:
        page = await g.ok(
            "GET",
            m["dot"],
            "/history",
            params={"limit": 2} | ({"cursor": cursor} if cursor else {}),
        )
        seen += [r["title"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 2
    assert seen == [f"Gift {d}" for d in range(5)]


async def test_you_gave_this_before_finds_alike_titles_whatever_their_case_accents_or_order(
    home, admin_db
):
    g, m, people = home
    await given(
        admin_db,
        g,
        people["grandma"],
        "LEGO Fire Station",
        TODAY() - dt.timedelta(days=400),
        [m["ann"]],
    )
    await given(admin_db, g, people["grandma"], "Crème brûlée set", TODAY(), [m["ben"]])
    await given(admin_db, g, people["ben"], "Fire station", TODAY(), [m["ann"]])

    def found(answer: list[dict]) -> list[str]:
        return [r["title"] for r in answer]

    params = {"person_id": people["grandma"]}
    ask = "/history/similar"
    assert found(
        await g.ok("GET", m["ben"], ask, params=params | {"title": "fire station lego"})
    ) == ["LEGO Fire Station"]
    assert found(
        await g.ok("GET", m["ben"], ask, params=params | {"title": "creme brulee set"})
    ) == ["Crème brûlée set"]
    assert found(await g.ok("GET", m["ben"], ask, params=params | {"title": "Teapot"})) == []
    everyone = found(await g.ok("GET", m["ann"], ask, params={"title": "Fire station"}))
    assert sorted(everyone) == ["Fire station", "LEGO Fire Station"]


async def test_the_reveal_setting_is_the_admins_and_said_in_the_household(home, admin_db):
    g, m, _ = home
    base = f"/api/households/{g.household_id}"
    mine = (await g.client.get(base, headers=m["ben"].headers)).json()
    assert (mine["reveal"], mine["reveal_after_days"]) == ("after_days", 1)
    by_adult = await g.client.patch(base, json={"reveal": "never"}, headers=m["ben"].headers)
    assert by_adult.status_code == 403
    changed = await reveal(g, m["ann"], "after_days", 7)
    assert (changed["reveal"], changed["reveal_after_days"]) == ("after_days", 7)
    [event] = await outbox_events(admin_db, g.household_id, "household.updated")
    assert event["data"]["changed"] == ["reveal_after_days"]
    for bad in ({"reveal_after_days": 0}, {"reveal_after_days": 366}, {"reveal": "sometimes"}):
        response = await g.client.patch(base, json=bad, headers=m["ann"].headers)
        assert response.status_code == 422, bad
        assert response.json()["error"]["details"][0]["problem"]


async def test_bad_input_is_refused_with_what_to_do(home, admin_db):
    g, m, people = home
    ok = {
        "recipient_person_id": people["cleo"],
        "giver_name": "Aunt Ruth",
        "title": "Scarf",
        "received_on": TODAY().isoformat(),
    }

    async def refused(**changes) -> httpx.Response:
        body = {k: v for k, v in (ok | changes).items() if v is not None}
        return await g.call("POST", m["ann"], "/history", json=body)

    both = await refused(giver_person_id=people["grandma"])
    assert "exactly one of giver_person_id" in problem(both, "giver_name")
    neither = await refused(giver_name=None)
    assert "exactly one of giver_person_id" in problem(neither, "giver_name")
    future = (TODAY() + dt.timedelta(days=2)).isoformat()
    assert "in the future" in problem(await refused(received_on=future), "received_on")
    to_self = await refused(giver_name=None, giver_person_id=people["cleo"])
    assert "the giver is someone else" in problem(to_self, "giver_person_id")
    assert "needed with a price" in problem(await refused(price="12.00"), "currency")
    stranger = str(uuid.uuid4())
    assert "person of this household" in problem(
        await refused(recipient_person_id=stranger), "recipient_person_id"
    )
    assert "occasion" in problem(await refused(occasion_id=stranger), "occasion_id")
    assert problem(await refused(giver_name="x" * 121), "giver_name").startswith("is too long")
    assert problem(await refused(title=""), "title") == "cannot be empty"
    assert problem(await refused(received_on="yesterday"), "received_on").startswith(
        "is not a date"
    )

    scarf = await received(g, m["ann"], **ok)
    task_path = f"/history/{scarf['id']}/thank-you-task"
    too_late = await g.call("POST", m["ann"], task_path, json={"due_in_days": 61})
    assert problem(too_late, "due_in_days") == "must be at most 60"
    not_member = await g.call("POST", m["ann"], task_path, json={"assignee_id": stranger})
    assert "not a member" in problem(not_member, "assignee_id")
    yes_no = await g.call(
        "PUT", m["ann"], f"/history/{scarf['id']}/thanks", json={"thanked": "perhaps"}
    )
    assert problem(yes_no, "thanked") == "must be true or false"
    year = await g.call("GET", m["ann"], "/history", params={"year": 1800})
    assert problem(year, "query.year").startswith("must be at least")
    cursor = await g.call("GET", m["ann"], "/history", params={"cursor": "bm9wZQ"})
    assert "start again" in problem(cursor, "query.cursor")
    no_title = await g.call("GET", m["ann"], "/history/similar")
    assert problem(no_title, "query.title") == "is required"
    missing = await g.call("GET", m["ann"], f"/history/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"]["message"]


async def test_another_household_reaches_none_of_it(home, admin_db, gateway_client):
    g, m, people = home
    scarf = await received(
        g,
        m["ann"],
        recipient_person_id=people["cleo"],
        giver_name="Aunt Ruth",
        title="Scarf",
        received_on=TODAY().isoformat(),
    )
    bike = await given(
        admin_db, g, people["cleo"], "Bike", TODAY() - dt.timedelta(days=9), [m["ann"]]
    )
    other_id, eve, *_ = await family(gateway_client, "Joneses")
    other = Gifting(gateway_client, other_id)
    eve_person = await other.person(eve, "Eve", linked_to=eve)
    for record in (scarf["id"], bike):
        for method, path, body in (
            ("GET", f"/history/{record}", None),
            ("DELETE", f"/history/{record}", None),
            ("PUT", f"/history/{record}/thanks", {"thanked": True}),
            ("POST", f"/history/{record}/thank-you-task", {}),
        ):
            # in A's household (not a member) and in their own (no such record)
            for where in (g, other):
                response = await where.call(method, eve, path, json=body)
                assert response.status_code == 404, (method, path, response.text)
    for where in (g, other):
        for path, params in (
            ("/history", {}),
            ("/history/similar", {"title": "Scarf"}),
            (f"/people/{people['cleo']}/history", {}),
        ):
            response = await where.call("GET", eve, path, params=params)
            if where is g:
                assert response.status_code == 404, (path, response.text)
            else:
                assert response.status_code in (200, 404)
                assert "Scarf" not in response.text and "Bike" not in response.text
    # recording in A's household is as closed to her as reading it
    into_a = await g.call(
        "POST",
        eve,
        "/history",
        json={
            "recipient_person_id": people["cleo"],
            "giver_name": "Eve",
            "title": "Probe",
            "received_on": TODAY().isoformat(),
        },
    )
    assert into_a.status_code == 404, into_a.text
    # naming A's people in B's household is an input error, and records nothing
    response = await other.call(
        "POST",
        eve,
        "/history",
        json={
            "recipient_person_id": people["cleo"],
            "giver_person_id": eve_person,
            "title": "Probe",
            "received_on": TODAY().isoformat(),
        },
    )
    assert problem(response, "recipient_person_id")
    for record in (scarf["id"], bike):  # as they were
        kept = await g.ok("GET", m["ann"], f"/history/{record}")
        assert kept["thanked"] is False and kept["thank_task_id"] is None
    assert await titles(g, m["ann"]) == ["Scarf", "Bike"]
