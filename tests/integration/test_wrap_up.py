"""The occasion wrap-up against a real Postgres, on a household made through the gateway's API: once an
occasion's day is over, what was claimed or bought for it is in its recipients' history, once, however
often the wrap-up runs and on however many replicas at a time; the events it stages reach the audit log
kept from the recipient; the reveal is announced once, to the recipient alone, when the household's
setting says so; a yearly occasion counts only what was claimed by the end of its day; an item marked
given is recorded at once."""

import asyncio
import datetime as dt
import json
import uuid
import zoneinfo

import httpx
import pytest
from sqlalchemy.exc import DBAPIError

from services.gateway.use_cases.occasions import in_year, last_occurrence
from services.gateway.use_cases.wrap_up import wrap_up, wrap_up_household
from shared.db import session_factory
from tests.integration.accounts import Account, family, invite_and_join, new_household, sign_up
from tests.integration.gifting import Gifting
from tests.system.conftest import eventually

TIMEZONE = "Pacific/Auckland"  # a day ahead of most of the machines the tests run on


def local_today() -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(TIMEZONE)).date()


async def household_events(admin_db, household_id: str, *types: str) -> list[dict]:
    rows = await admin_db.fetch(
        "SELECT cloudevent FROM gateway.outbox WHERE cloudevent->>'household' = $1 ORDER BY seq",
        household_id,
    )
    events = [
        json.loads(r["cloudevent"]) if isinstance(r["cloudevent"], str) else r["cloudevent"]
        for r in rows
    ]
    return [e for e in events if not types or e["type"] in {f"giftflow.{t}.v1" for t in types}]


async def records(admin_db, household_id: str) -> list[dict]:
    rows = await admin_db.fetch(
        "SELECT r.*, g.title AS gift_title, p.name AS person "
        "FROM gateway.gift_record r JOIN gateway.person p ON p.id = r.recipient_person_id "
        "LEFT JOIN gateway.gift g ON g.id = r.gift_id "
        "WHERE r.household_id = $1 ORDER BY r.title, p.name",
        uuid.UUID(household_id),
    )
    return [dict(r) for r in rows]


class Farewell:
    """Ann (admin), Ben (adult) and Rosa (admin, whose farewell it was); Dan, who is no member. A
    one-off occasion for Rosa three weeks ago, with Rosa's wish list, a household idea list for Dan
    (a board game for Dan and Rosa together) and Ann's private idea list for Rosa."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def make(self) -> "Farewell":
        client = self.client
        self.ann = await sign_up(client, name="Ann")
        self.hid = await new_household(client, self.ann, "Farewells", TIMEZONE)
        self.ben = await invite_and_join(client, self.hid, admin=self.ann, name="Ben")
        self.rosa = await invite_and_join(
            client, self.hid, admin=self.ann, role="admin", name="Rosa"
        )
        g = self.g = Gifting(client, self.hid)
        self.rosa_p = await g.person(self.ann, "Rosa", linked_to=self.rosa)
        self.dan_p = await g.person(self.ann, "Dan")
        self.day = local_today() - dt.timedelta(days=21)
        self.occasion = await g.occasion(
            self.ann, "Rosa's farewell", self.day.isoformat(), [self.rosa_p], recurs_yearly=False
        )
        wishes = await g.new_list(self.rosa, self.rosa_p, "wish", "Rosa's wishes", self.occasion)
        self.kite = await g.add_item(self.rosa, wishes, "Kite", price="12.50")
        self.lamp = await g.add_item(self.rosa, wishes, "Lamp", price="30.00")
        self.vase = await g.add_item(self.rosa, wishes, "Vase")  # nobody took it
        dans = await g.new_list(self.ann, self.dan_p, "idea", "For Dan", self.occasion)
        self.game = await g.ok(
            "POST",
            self.ann,
            f"/lists/{dans}/items",
            201,
            json={"gift": {"title": "Board game", "recipient_ids": [self.rosa_p]}},
        )
        secret = await g.new_list(
            self.ann, self.rosa_p, "idea", "Ann's ideas", self.occasion, visibility="private"
        )
        self.locket = await g.add_item(self.ann, secret, "Locket")
        assert (await g.claim(self.ben, self.kite["id"])).status_code == 201
        assert (await g.claim(self.ann, self.lamp["id"])).status_code == 201
        await g.move(self.ann, self.lamp["id"], "selected", "purchased")
        assert (await g.claim(self.ben, self.game["id"])).status_code == 201
        assert (await g.claim(self.ann, self.locket["id"])).status_code == 201
        return self


@pytest.fixture
async def farewell(gateway_client) -> Farewell:
    return await Farewell(gateway_client).make()


async def test_what_was_given_at_a_past_occasion_is_recorded_once_however_often_it_runs(
    farewell: Farewell, engine_for, admin_db
):
    f = farewell
    hid = uuid.UUID(f.hid)
    # two replicas at once, each with its own connections, then the loop's next round on each
    replicas = [session_factory(engine_for("gateway")) for _ in range(2)]

    async def one(sessions):
        async with sessions() as session:
            return await wrap_up_household(session, hid)

    # the loop's round (every household with something to do) on one, the household's on the other
    await asyncio.gather(wrap_up(replicas[0]), one(replicas[1]), one(replicas[0]))
    again = await asyncio.gather(*(wrap_up(s) for s in replicas), one(replicas[1]))

    made = await records(admin_db, f.hid)
    assert [(r["title"], r["person"]) for r in made] == [
        ("Board game", "Dan"),
        ("Board game", "Rosa"),
        ("Kite", "Rosa"),
        ("Lamp", "Rosa"),
        ("Locket", "Rosa"),
    ]
    assert sum(s.recorded for s in again) == 0
    by_title = {(r["title"], r["person"]): r for r in made}
    assert by_title[("Kite", "Rosa")]["giver_user_ids"] == [uuid.UUID(f.ben.user_id)]
    assert by_title[("Lamp", "Rosa")]["giver_user_ids"] == [uuid.UUID(f.ann.user_id)]
    assert str(by_title[("Lamp", "Rosa")]["price"]) == "30.00"
    # a private list's gift: its maker and givers only; the others: the household
    assert by_title[("Locket", "Rosa")]["private_to"] == [uuid.UUID(f.ann.user_id)]
    assert {r["private_to"] == [] for t, r in by_title.items() if t[0] != "Locket"} == {True}
    assert {(r["source"], r["occurs_on"], str(r["occasion_id"])) for r in made} == {
        ("given", f.day, f.occasion)
    }
    wrapped = await admin_db.fetch(
        "SELECT occurs_on, gifts FROM gateway.occasion_wrap_up WHERE occasion_id = $1",
        uuid.UUID(f.occasion),
    )
    assert [(w["occurs_on"], w["gifts"]) for w in wrapped] == [(f.day, 5)]

    recorded = await household_events(admin_db, f.hid, "gift_record.recorded")
    assert sorted(e["data"]["record_id"] for e in recorded) == sorted(str(r["id"]) for r in made)
    for e in recorded:
        # kept from whoever the gift is for, the board game's other recipient included
        both = e["data"]["title"] == "Board game"
        assert set(e["data"]["hidden_persons"]) == ({f.rosa_p, f.dan_p} if both else {f.rosa_p})
        assert f.rosa.user_id in e["data"]["hidden_from"]
    locket = next(e for e in recorded if e["data"]["title"] == "Locket")
    assert locket["data"]["only_for"] == [f.ann.user_id]
    assert {f.ben.user_id, f.rosa.user_id} <= set(locket["data"]["hidden_from"])
    kite = next(e for e in recorded if e["data"]["title"] == "Kite")
    assert kite["data"]["giver_names"] == ["Ben"] and kite["data"]["source"] == "given"
    [wrap] = await household_events(admin_db, f.hid, "occasion.wrapped_up")
    assert (wrap["data"]["gifts"], wrap["data"]["occurs_on"]) == (5, f.day.isoformat())
    assert set(wrap["data"]["person_ids"]) == {f.rosa_p, f.dan_p}
    assert f.rosa.user_id in wrap["data"]["hidden_from"]
    assert f.rosa_p in wrap["data"]["hidden_persons"]

    # the reveal (the default: a day after) is long due: told once, to Rosa alone; Dan has no member
    [revealed] = await household_events(admin_db, f.hid, "occasion.gifts_revealed")
    assert revealed["data"]["only_for"] == [f.rosa.user_id]
    assert (revealed["data"]["person_id"], revealed["data"]["gifts"]) == (f.rosa_p, 4)
    assert {r["person"] for r in await records(admin_db, f.hid) if r["revealed_at"]} == {"Rosa"}
    # claims and items are left as they were: history is added, nothing disappears
    kite_now = await f.g.ok("GET", f.ben, f"/items/{f.kite['id']}")
    assert kite_now["claimed_quantity"] == 1


async def test_a_gift_claimed_later_for_a_one_off_occasion_is_added_without_a_second_wrap_up(
    farewell: Farewell, engine_for, admin_db
):
    f = farewell
    sessions = session_factory(engine_for("gateway"))
    async with sessions() as session:
        await wrap_up_household(session, uuid.UUID(f.hid))
    assert (await f.g.claim(f.ben, f.vase["id"])).status_code == 201
    async with sessions() as session:
        later = await wrap_up_household(session, uuid.UUID(f.hid))
    assert (later.recorded, later.wrapped_up) == (1, 0)
    assert len(await household_events(admin_db, f.hid, "occasion.wrapped_up")) == 1
    [count] = await admin_db.fetch(
        "SELECT gifts FROM gateway.occasion_wrap_up WHERE occasion_id = $1", uuid.UUID(f.occasion)
    )
    assert count["gifts"] == 6
    # Rosa was told of that day once: the vase is revealed with it, and not announced again
    assert [
        e["data"]["gifts"]
        for e in await household_events(admin_db, f.hid, "occasion.gifts_revealed")
    ] == [4]
    vase = [r for r in await records(admin_db, f.hid) if r["title"] == "Vase"]
    assert [r["revealed_at"] is not None for r in vase] == [True]


async def test_the_wrap_up_events_reach_the_audit_log_kept_from_the_recipient(
    farewell: Farewell, engine_for, admin_db, service_url
):
    from services.audit.config import Settings as AuditSettings
    from services.audit.handlers import HANDLERS, record_entry
    from services.audit.main import create_app
    from services.audit.models import processed_event
    from services.gateway.config import Settings as GatewaySettings
    from shared.consumer import BulkConsumer

    f = farewell
    async with session_factory(engine_for("gateway"))() as session:
        await wrap_up_household(session, uuid.UUID(f.hid))
    consumer = BulkConsumer(
        "audit",
        session_factory(engine_for("audit")),
        processed_event,
        HANDLERS,
        catch_all=record_entry,
    )
    events = await household_events(admin_db, f.hid)
    answer = await consumer.handle_bulk(
        {"entries": [{"entryId": str(i), "event": e} for i, e in enumerate(events)]}
    )
    assert {s["status"] for s in answer["statuses"]} == {"SUCCESS"}, answer

    secret = GatewaySettings().jwt_secret.get_secret_value()
    app = create_app(
        AuditSettings(database_url=service_url("audit"), db_pool_size=2, jwt_secret=secret)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://audit.test"
    ) as audit:

        async def seen_by(who: Account) -> list[dict]:
            found, cursor = [], None
            while True:
                params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
                page = await audit.get(
                    f"/api/households/{f.hid}/audit", params=params, headers=who.headers
                )
                assert page.status_code == 200, page.text
                found += page.json()["items"]
                if not (cursor := page.json().get("next_cursor")):
                    return found

        history = ("gift_record.recorded", "occasion.wrapped_up")
        by_ann_all = await seen_by(f.ann)
        by_ann = [e for e in by_ann_all if any(t in e["type"] for t in history)]
        by_rosa = await seen_by(f.rosa)
    await app.state.engine.dispose()
    # Ann sees the wrap-up and every record (the Locket is hers); Rosa, an admin too, nothing of it
    assert len(by_ann) == 6
    assert by_rosa and not [e for e in by_rosa if any(t in e["type"] for t in history)]
    # (the kite is a wish Rosa made herself: that it exists is hers to know, not that it was given)
    assert not [e for e in by_rosa if {"Locket", "Board game"} & set(json.dumps(e).split('"'))]
    # the reveal is Rosa's alone
    assert "giftflow.occasion.gifts_revealed.v1" in [e["type"] for e in by_rosa]
    assert "giftflow.occasion.gifts_revealed.v1" not in [e["type"] for e in by_ann_all]


async def test_the_reveal_follows_the_households_setting_as_it_is_then(
    farewell: Farewell, engine_for, admin_db
):
    f = farewell
    sessions = session_factory(engine_for("gateway"))
    await admin_db.execute(
        "UPDATE gateway.household SET reveal = 'never' WHERE id = $1", uuid.UUID(f.hid)
    )
    async with sessions() as session:
        done = await wrap_up_household(session, uuid.UUID(f.hid))
    assert (done.recorded, done.revealed) == (5, 0)

    async def history_of(who: Account) -> list[tuple[str, str]]:
        page = await f.g.ok("GET", who, "/history", params={"limit": 200})
        return sorted((r["title"], r["recipient_name"]) for r in page["items"])

    # never revealed: Rosa finds nothing, not even the board game recorded for Dan, which was hers too
    assert await history_of(f.rosa) == []
    assert len(await history_of(f.ann)) == 5  # the control: it is there
    # thirty days after: still three weeks ahead of the day
    await admin_db.execute(
        "UPDATE gateway.household SET reveal = 'after_days', reveal_after_days = 30 WHERE id = $1",
        uuid.UUID(f.hid),
    )
    async with sessions() as session:
        assert (await wrap_up_household(session, uuid.UUID(f.hid))).revealed == 0
    assert await household_events(admin_db, f.hid, "occasion.gifts_revealed") == []
    # changed again, to the day itself: told now, once
    await admin_db.execute(
        "UPDATE gateway.household SET reveal = 'at_occasion' WHERE id = $1", uuid.UUID(f.hid)
    )
    for _ in range(2):
        async with sessions() as session:
            await wrap_up_household(session, uuid.UUID(f.hid))
    assert len(await household_events(admin_db, f.hid, "occasion.gifts_revealed")) == 1
    assert await history_of(f.rosa) == [
        ("Board game", "Dan"),
        ("Board game", "Rosa"),
        ("Kite", "Rosa"),
        ("Lamp", "Rosa"),
        ("Locket", "Rosa"),
    ]


async def test_a_yearly_occasion_counts_what_was_claimed_by_the_end_of_its_day(
    gateway_client, engine_for, admin_db
):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann, "Birthdays", TIMEZONE)
    g = Gifting(gateway_client, hid)
    cleo = await g.person(ann, "Cleo")
    today = local_today()
    # first a year ago, and last ten days ago: what is claimed now is for the next one
    first = in_year(today, today.year - 1) - dt.timedelta(days=10)
    birthday = await g.occasion(ann, "Cleo's birthday", first.isoformat(), [cleo])
    ideas = await g.new_list(ann, cleo, "idea", "For Cleo", birthday)
    ball = await g.add_item(ann, ideas, "Ball")
    assert (await g.claim(ann, ball["id"])).status_code == 201

    sessions = session_factory(engine_for("gateway"))
    async with sessions() as session:
        now = await wrap_up_household(session, uuid.UUID(hid))
    assert now.recorded == 0 and await records(admin_db, hid) == []

    # a year on, the next birthday is over: the ball was claimed in time for it
    next_year = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
    async with sessions() as session:
        then = await wrap_up_household(session, uuid.UUID(hid), now=next_year)
    [record] = await records(admin_db, hid)
    expected = last_occurrence(
        first, True, next_year.astimezone(zoneinfo.ZoneInfo(TIMEZONE)).date()
    )
    assert then.recorded == 1 and record["occurs_on"] == expected
    assert expected is not None and expected > today


async def test_an_item_marked_given_is_recorded_at_once(gateway_client, admin_db):
    ann = await sign_up(gateway_client, name="Ann")
    hid = await new_household(gateway_client, ann, "Givers", TIMEZONE)
    g = Gifting(gateway_client, hid)
    ben_p = await g.person(ann, "Ben")
    today = local_today()
    christmas = await g.occasion(
        ann, "Christmas", dt.date(today.year - 1, 12, 25).isoformat(), [ben_p], kind="christmas"
    )
    with_occasion = await g.new_list(ann, ben_p, "idea", "For Christmas", christmas)
    without = await g.new_list(ann, ben_p, "idea", "Any day")
    socks = await g.add_item(ann, with_occasion, "Socks")
    book = await g.add_item(ann, without, "Book")
    for item in (socks, book):
        await g.move(ann, item["id"], "selected", "purchased", "wrapped", "given")

    made = {r["title"]: r for r in await records(admin_db, hid)}
    assert set(made) == {"Socks", "Book"}
    assert made["Book"]["occurs_on"] == today and made["Book"]["occasion_id"] is None
    # the Christmas nearest to today: the last one or the next, whichever is closer
    last, coming = dt.date(today.year - 1, 12, 25), dt.date(today.year, 12, 25)
    if today > coming:
        last, coming = coming, dt.date(today.year + 1, 12, 25)
    nearest = last if today - last <= coming - today else coming
    assert made["Socks"]["occurs_on"] == nearest
    assert made["Socks"]["giver_user_ids"] == [uuid.UUID(ann.user_id)]
    assert made["Socks"]["recorded_by"] == uuid.UUID(ann.user_id)
    recorded = await household_events(admin_db, hid, "gift_record.recorded")
    assert sorted(e["data"]["title"] for e in recorded) == ["Book", "Socks"]
    assert {e["data"]["actor_id"] for e in recorded} == {ann.user_id}


async def test_a_gift_exchange_gift_is_recorded_for_its_giver_alone(gateway_client, admin_db):
    """Who drew whom is the giver's: the record of what they gave, and its event, are theirs alone."""
    hid, ann, ben, _ = await family(gateway_client)
    dan = await invite_and_join(gateway_client, hid, admin=ann, name="Dan")
    g = Gifting(gateway_client, hid)
    people = {
        "ann": await g.person(ann, "Ann", linked_to=ann),
        "ben": await g.person(ann, "Ben", linked_to=ben),
        "dan": await g.person(ann, "Dan", linked_to=dan),
        "grandma": await g.person(ann, "Grandma"),
    }
    christmas = await g.occasion(ann, "Christmas", "2020-12-25", [], kind="christmas")
    exchange = await g.ok(
        "POST",
        ann,
        "/exchanges",
        201,
        json={
            "occasion_id": christmas,
            "name": "Secret Santa",
            "deadline": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "person_ids": list(people.values()),
        },
    )
    await g.ok("POST", ann, f"/exchanges/{exchange['id']}/draw")
    [receiver] = [
        r["receiver_person_id"]
        for r in await admin_db.fetch(
            "SELECT receiver_person_id::text FROM gateway.exchange_pick "
            "WHERE exchange_id = $1 AND giver_person_id = $2",
            uuid.UUID(exchange["id"]),
            uuid.UUID(people["ben"]),
        )
    ]
    wishes = await g.new_list(ann, receiver, kind="wish", occasion_id=christmas)
    item = await g.add_item(ann, wishes, "Scarf", price="20.00")
    await g.ok(
        "POST",
        ben,
        f"/items/{item['id']}/claims",
        201,
        json={"quantity": 1, "exchange_id": exchange["id"]},
    )
    await g.move(ben, item["id"], "selected", "purchased", "wrapped", "given")

    [record] = await records(admin_db, hid)
    assert record["private_to"] == [uuid.UUID(ben.user_id)]
    assert record["giver_user_ids"] == [uuid.UUID(ben.user_id)]
    assert str(record["recipient_person_id"]) == receiver
    [event] = await household_events(admin_db, hid, "gift_record.recorded")
    assert event["data"]["only_for"] == [ben.user_id]
    assert {ann.user_id, dan.user_id} <= set(event["data"]["hidden_from"])
    assert ben.user_id not in event["data"]["hidden_from"]


async def test_a_wrap_up_that_dies_half_way_leaves_nothing_and_the_next_one_does_it_all(
    farewell: Farewell, engine_for, admin_db
):
    """The gateway dies (its connection is cut) after the records are written and before the day is
    marked wrapped up: nothing of it stays, no event is staged, and the next round does it all, once."""
    f = farewell
    hid = uuid.UUID(f.hid)
    sessions = session_factory(engine_for("gateway"))

    async def round_():
        async with sessions() as session:
            return await wrap_up_household(session, hid)

    held = admin_db.transaction()
    await held.start()
    # the wrap-up waits here, half way: its records are written, the day not yet marked
    await admin_db.execute("LOCK TABLE gateway.occasion_wrap_up IN ACCESS EXCLUSIVE MODE")
    dying = asyncio.create_task(round_())

    async def waiting() -> bool:
        await admin_db.execute("SELECT pg_stat_clear_snapshot()")  # read afresh in this transaction
        pids = await admin_db.fetch(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE '%occasion_wrap_up%' AND pid <> pg_backend_pid()"
        )
        for row in pids:
            await admin_db.execute("SELECT pg_terminate_backend($1)", row["pid"])
        return bool(pids)

    await eventually(waiting, "the wrap-up waiting half way")
    with pytest.raises(DBAPIError):
        await dying
    await held.rollback()

    assert await records(admin_db, f.hid) == []
    assert await household_events(admin_db, f.hid, "gift_record.recorded") == []
    done = await round_()
    assert (done.recorded, done.wrapped_up) == (5, 1)
    assert len(await household_events(admin_db, f.hid, "gift_record.recorded")) == 5
