"""A household planning surprises for one of its members, and every fact of those surprises.

Member R is person P. The others (M, the admin, and G) keep an idea list about P, gifts for P, claims and
a purchase on P's wishes, pledges, surprise comments, notes on P's wishes, tags only hidden gifts carry and
a budget for P. A decoy (an idea for Q, claimed) is what R may see, so a search that finds no surprise
is known to have looked where things do arrive.

Plain: P is R from the start. Late link: P is nobody's until every surprise is made; then P becomes R and
R an admin, and what R may learn is decided by the links as they are now.

R takes every kind of mail there is (whatever kinds the API offers): at once in the plain household, held
for a daily digest in the late-linked one, so both the mails and the digests are searched.

The history: an occasion for P that was over days ago, wrapped up by the gateway's own loop, so what M
and G gave P (and a board game for P and Q together) is recorded in the history but not revealed (the
household reveals a year after). A gift R recorded as received is what R must find there.
"""

import re
import uuid
from dataclasses import dataclass, field

import asyncpg
import httpx

from tests.integration.accounts import Account, invite_and_join, new_household, sign_up
from tests.integration.gifting import Gifting
from tests.security.facts import Fact, Facts
from tests.security.households import caught_up, known_to_notifications, later, soon, token
from tests.sse_client import open_stream
from tests.system.conftest import eventually


@dataclass
class Surprises:
    household_id: str
    recipient: Account
    facts: Facts
    wish_ids: frozenset[
        str
    ]  # R's wishes (items, their gifts, the list): what R may see, never what befell them
    objects: dict[
        str, list[str]
    ]  # path parameter name -> every object of that kind, visible to R or not
    controls: dict[str, str]  # what R must find, and where
    live: list[str] = field(
        default_factory=list
    )  # R's live stream while the surprises were made (plain)
    # what R must find in R's calendar feed (R's own task): a search there that saw it looked
    feed_controls: dict[str, str] = field(default_factory=dict)
    # what R must find in R's mails: a claim R may hear of, and R's own task in the week ahead
    mail_controls: dict[str, str] = field(default_factory=dict)
    # what R must find in the history (a gift R recorded): a search there that saw it looked
    history_controls: dict[str, str] = field(default_factory=dict)


async def choose_every_mail_kind(g: Gifting, who: Account, mode: str) -> None:
    """`who` gets every kind of mail the API offers in `mode`, or in the daily digest if that kind
    cannot come in `mode` (a summary is never sent at once)."""
    kinds = (await g.ok("GET", who, "/notifications/mail"))["kinds"]
    for kind in kinds:
        chosen = await g.call("PUT", who, "/notifications/mail", json={"kinds": {kind: mode}})
        if chosen.status_code == 422:
            chosen = await g.call(
                "PUT", who, "/notifications/mail", json={"kinds": {kind: "daily"}}
            )
        assert chosen.status_code == 200, chosen.text


async def surprises_for_a_member(
    client: httpx.AsyncClient, db: asyncpg.Connection, *, late_link: bool
) -> Surprises:
    t = token()
    f = Facts()
    m = await sign_up(client, name=f"Marta {t}")
    household_id = await new_household(client, m, f"Households {t}")
    giver = await invite_and_join(client, household_id, admin=m, role="adult", name=f"Gus {t}")
    r = await invite_and_join(
        client, household_id, admin=m, role="adult" if late_link else "admin", name=f"Rosa {t}"
    )
    g = Gifting(client, household_id)
    p = await g.person(m, f"Rosa {t}", linked_to=None if late_link else r)
    q = await g.person(m, f"Quentin {t}")
    # within the week ahead a digest tells of (14 days)
    occasion = await g.occasion(m, f"Rosa's birthday {t}", soon(9), [p, q])
    await known_to_notifications(client, household_id, m, giver, r)
    await choose_every_mail_kind(g, r, "daily" if late_link else "now")

    async def make() -> dict:
        # first: the decoy, made last, must come after all that a late link takes from R's stream
        records, history = await _a_past_occasion(g, db, f, t, m, giver, r, p, q)
        made = await _make_surprises(g, f, t, m, giver, r if not late_link else m, p, q, occasion)
        made["objects"]["exchange_id"] = [await _draw_names(g, db, f, t, m, giver, p, q, occasion)]
        made["objects"]["record_id"], made["history"] = records, history
        return made

    live: list[str] = []
    if late_link:
        made = await make()
        await g.ok("PATCH", m, f"/people/{p}", json={"linked_user_id": r.user_id})
        await g.ok("PATCH", m, f"/members/{r.user_id}", json={"role": "admin"})
        await caught_up(db, household_id)
    else:
        stream = f"/api/households/{household_id}/notifications/stream"
        async with open_stream(client, stream, bearer=r.access_token) as opened:
            await opened.next("ready")
            made = await make()
            await caught_up(db, household_id)
            async with open_stream(
                client, stream, bearer=r.access_token, params={"since": 0}
            ) as replay:
                position = int((await replay.next("ready")).id)
            await opened.until(lambda e: e.id is not None and int(e.id) >= position)
            live = [f"{e.event} {e.id} {e.data}" for e in opened.seen]

    # R's calendar feed, with a task of R's own in it
    own_task = f"Rosa's own chore {t}"
    await g.ok(
        "POST",
        r,
        "/tasks",
        201,
        json={"title": own_task, "assignee_id": r.user_id, "due_at": later(3)},
    )
    feed = await g.ok("POST", r, "/calendar-feeds", 201, json={"name": "Rosa's phone"})
    feed_token = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")

    objects = {
        "household_id": [household_id],
        "token": [feed_token],
        "person_id": [p, q],
        "occasion_id": [occasion],
        "user_id": [m.user_id, giver.user_id, r.user_id],
        **made["objects"],
    }
    return Surprises(
        household_id,
        r,
        f,
        frozenset(made["wish_ids"]),
        objects,
        made["controls"],
        live,
        {"R's own task": own_task},
        {**made["controls"], "R's own task, in the week ahead": own_task},
        made["history"],
    )


async def _make_surprises(
    g: Gifting,
    f: Facts,
    t: str,
    m: Account,
    giver: Account,
    wisher: Account,
    p: str,
    q: str,
    occasion: str,
) -> dict:
    """`wisher` keeps P's wish list (R themselves, or M for a P not yet linked); M and G plan the rest."""
    wishes = await g.new_list(wisher, p, "wish", f"Rosa's wishes {t}", occasion)
    w1 = await _item(g, wisher, wishes, f"Kite {t}", "11.11", 3)
    w2 = await _item(g, wisher, wishes, f"Lantern {t}", "22.23", 2)
    w3 = await _item(g, wisher, wishes, f"Telescope {t}", "5.05", 1)
    w4 = await g.ok(
        "POST",
        giver,
        f"/lists/{wishes}/items",
        201,
        json={
            "gift": {"title": f"Scarf {t}", "price": "7.00", "currency": "GBP"},
            "notes": f.text("giver's note on a wish", f"GiverNote {t}"),
        },
    )

    ideas = await g.new_list(m, p, "idea", f.text("idea list about P", f"IdeaList {t}"), occasion)
    hidden_item = await g.ok(
        "POST",
        m,
        f"/lists/{ideas}/items",
        201,
        json={
            "gift": {
                "title": f.text("idea for P", f"Hammock {t}"),
                "price": f.amount("idea's price", "41.93"),
                "currency": "GBP",
                "notes": f.text("idea's notes", f"HiddenNote {t}"),
                "url": f"https://example.com/{f.text('url', f'hm-{t}')}",
                "tags": [f.text("tag only hidden gifts carry", f"hidtag{t}")],
            }
        },
    )
    hidden_gift = await g.ok(
        "POST",
        m,
        "/gifts",
        201,
        json={
            "title": f.text("gift for P", f"Zither {t}"),
            "price": f.amount("gift's price", "17.39"),
            "currency": "GBP",
            "recipient_ids": [p],
            "tags": [f"hidtag{t}"],
            "notes": f.text("gift's notes", f"GiftNote {t}"),
        },
    )

    claims = [
        await g.ok("POST", giver, f"/items/{w1['id']}/claims", 201, json={"quantity": 3}),
        await g.ok("POST", giver, f"/items/{w2['id']}/claims", 201, json={"quantity": 2}),
        await g.ok("POST", m, f"/items/{hidden_item['id']}/claims", 201, json={"quantity": 1}),
    ]
    await g.move(m, w1["id"], "selected", "purchased")
    await g.ok(
        "POST", m, f"/gifts/{w1['gift_id']}/people", 201, json={"person_id": q, "role": "purchaser"}
    )
    f.amount("P's purchased spend", "33.33")  # 3 × 11.11
    f.amount("P's claimed spend on wishes", "44.46")  # 2 × 22.23
    f.amount("P's claimed spend", "86.39")  # with the idea's 41.93
    pledges = [
        await g.ok(
            "PUT",
            giver,
            f"/gifts/{w3['gift_id']}/pledges/mine",
            201,
            json={"amount": f.amount("pledge", "37.71"), "currency": "GBP"},
        ),
        await g.ok(
            "PUT",
            m,
            f"/gifts/{hidden_gift['id']}/pledges/mine",
            201,
            json={"amount": f.amount("pledge", "26.53"), "currency": "GBP"},
        ),
    ]
    comments = [
        await g.ok(
            "POST",
            giver,
            f"/gifts/{w1['gift_id']}/comments",
            201,
            json={"body": f.text("surprise comment", f"Bought it at the market {t}")},
        ),
        await g.ok(
            "POST",
            m,
            f"/lists/{wishes}/comments",
            201,
            json={
                "body": f.text("surprise comment", f"Let us split the list {t}"),
                "surprise": True,
            },
        ),
        await g.ok(
            "POST",
            m,
            f"/lists/{ideas}/comments",
            201,
            json={"body": f.text("comment", f"IdeaChat {t}")},
        ),
        await g.ok(
            "POST",
            m,
            f"/gifts/{hidden_gift['id']}/comments",
            201,
            json={"body": f.text("comment", f"Wrapped in blue {t}")},
        ),
    ]
    patched = await g.call(
        "PATCH",
        m,
        f"/items/{w2['id']}",
        json={"notes": f.text("giver's note on a wish", f"GiverPatch {t}")},
    )
    assert patched.status_code in (200, 403, 422), patched.text
    budget = await g.ok(
        "PUT",
        m,
        f"/occasions/{occasion}/budgets/{p}",
        json={"amount": f.amount("budget for P", "88.17"), "currency": "GBP"},
    )
    tag = next(x for x in (await g.ok("GET", m, "/tags"))["items"] if x["name"] == f"hidtag{t}")

    # a chore about P, on a giver's calendar (a task is kept from the people it is about); made before
    # the decoy, whose place in R's stream must outlive what a late link takes away
    await g.ok(
        "POST",
        m,
        "/tasks",
        201,
        json={
            "title": f.text("task about P", f"Wrap the zither {t}"),
            "person_id": p,
            "occasion_id": occasion,
            "assignee_id": giver.user_id,
            "due_at": later(2),
            "reminders": ["PT2H"],
        },
    )

    decoys = await g.new_list(m, q, "idea", f"Decoys {t}", occasion)
    decoy = await g.ok(
        "POST", m, f"/lists/{decoys}/items", 201, json={"gift": {"title": f"Decoy {t}"}}
    )
    await g.ok("POST", giver, f"/items/{decoy['id']}/claims", 201, json={"quantity": 1})
    task = await g.ok(
        "POST", m, "/tasks", 201, json={"title": f"Bake for Quentin {t}", "person_id": q}
    )
    f.ids("the idea list's id", [ideas])
    f.ids("a hidden list item's id", [hidden_item["id"]])
    f.ids("a hidden gift's id", [hidden_item["gift_id"], hidden_gift["id"]])
    f.ids("the hidden tag's id", [tag["id"]])
    f.ids("the budget's id", [budget["id"]])
    f.ids("a claim's id", [c["id"] for c in claims])
    f.ids("a pledge's id", [x["id"] for x in pledges])
    f.ids("a comment's id", [c["id"] for c in comments])
    wish_items = [w1, w2, w3, w4]
    return {
        "wish_ids": [wishes, *(w["id"] for w in wish_items), *(w["gift_id"] for w in wish_items)],
        "objects": {
            "list_id": [wishes, ideas, decoys],
            "item_id": [*(w["id"] for w in wish_items), hidden_item["id"], decoy["id"]],
            "gift_id": [
                *(w["gift_id"] for w in wish_items),
                hidden_item["gift_id"],
                hidden_gift["id"],
                decoy["gift_id"],
            ],
            "comment_id": [c["id"] for c in comments],
            "tag_id": [tag["id"]],
            "task_id": [task["id"]],
        },
        "controls": {"the decoy's title": f"Decoy {t}"},
    }


async def _a_past_occasion(
    g: Gifting,
    db: asyncpg.Connection,
    f: Facts,
    t: str,
    m: Account,
    giver: Account,
    r: Account,
    p: str,
    q: str,
) -> tuple[list[str], dict[str, str]]:
    """An occasion for P five days ago, wrapped up by the gateway's loop: what M and G gave P is in
    P's history, not yet revealed (the household reveals a year after); so is a board game for P and Q
    together, recorded for each. R records a gift P received: R's to find. The records' ids, and the
    controls."""
    await g.ok("PATCH", m, "", json={"reveal": "after_days", "reveal_after_days": 365})
    send_off = await g.occasion(m, f"Rosa's send-off {t}", soon(-5), [p], recurs_yearly=False)
    ideas = await g.new_list(m, p, "idea", f.text("idea list about P", f"SendOff {t}"), send_off)
    ukulele = await g.ok(
        "POST",
        m,
        f"/lists/{ideas}/items",
        201,
        json={
            "gift": {
                "title": f.text("gift given to P", f"Ukulele {t}"),
                "price": f.amount("given gift's price", "63.17"),
                "currency": "GBP",
            }
        },
    )
    await g.ok("POST", giver, f"/items/{ukulele['id']}/claims", 201, json={"quantity": 1})
    await g.move(giver, ukulele["id"], "selected", "purchased")
    for_quentin = await g.new_list(m, q, "idea", f"For Quentin {t}", send_off)
    game = await g.ok(
        "POST",
        m,
        f"/lists/{for_quentin}/items",
        201,
        json={
            "gift": {
                "title": f.text("gift given to P and Q", f"Board game {t}"),
                "recipient_ids": [p],
            }
        },
    )
    await g.ok("POST", m, f"/items/{game['id']}/claims", 201, json={"quantity": 1})

    async def wrapped_up() -> bool:
        recorded = await db.fetchval(
            "SELECT count(*) FROM gateway.gift_record WHERE occasion_id = $1", uuid.UUID(send_off)
        )
        return recorded == 3  # the ukulele for P, the board game for P and for Q

    await eventually(wrapped_up, "the gateway wrapped up Rosa's send-off")
    given = [
        str(row["id"])
        for row in await db.fetch(
            "SELECT id FROM gateway.gift_record WHERE occasion_id = $1", uuid.UUID(send_off)
        )
    ]
    f.ids("a record of a gift given to P", given)
    f.ids("a list item given to P", [ukulele["id"], game["id"]])
    f.ids("a gift given to P", [ukulele["gift_id"], game["gift_id"]])
    thanks = f"Snow globe {t}"
    received = await g.ok(
        "POST",
        r,
        "/history",
        201,
        json={
            "recipient_person_id": p,
            "giver_name": f"Aunt Ruth {t}",
            "title": thanks,
            "received_on": soon(-1),
        },
    )
    return [*given, received["id"]], {"the gift R recorded as received": thanks}


async def _draw_names(
    g: Gifting,
    db: asyncpg.Connection,
    f: Facts,
    t: str,
    m: Account,
    giver: Account,
    p: str,
    q: str,
    occasion: str,
) -> str:
    """A gift exchange among M, G, P and Q (who is no member; M organizes), drawn: R may learn whom P
    draws, never whom anyone else draws, nor who draws P."""
    people = {
        await g.person(m, f"Marta {t}", linked_to=m): f"Marta {t}",
        await g.person(m, f"Gus {t}", linked_to=giver): f"Gus {t}",
        p: f"Rosa {t}",
        q: f"Quentin {t}",
    }
    name = f"Santa {t}"
    exchange = await g.ok(
        "POST",
        m,
        "/exchanges",
        201,
        json={
            "occasion_id": occasion,
            "name": name,
            "deadline": soon(20),
            "person_ids": list(people),
        },
    )
    await g.ok("POST", m, f"/exchanges/{exchange['id']}/draw")
    rows = await db.fetch(
        "SELECT giver_person_id::text AS giver, receiver_person_id::text AS receiver "
        "FROM gateway.exchange_pick WHERE exchange_id = $1",
        exchange["id"],
    )
    picks = {r["giver"]: r["receiver"] for r in rows}
    for giver_id, receiver_id in picks.items():
        if giver_id == p:
            continue  # P's own pick is R's to see
        # as a pick is shown (REST, the dashboard), and as its giver or their proxy is told of it
        f.items.append(
            Fact(
                "pick of another giver",
                f'"giver_person_id": "{giver_id}"',
                re.compile(rf'"giver_person_id":\s*"{giver_id}"'),
            )
        )
        f.text("pick of another giver", f"“{name}”: you give to {people[receiver_id]}")
        f.text("pick of another giver", f"“{name}”: {people[giver_id]} gives to")
    others = await db.fetch(
        "SELECT id::text FROM gateway.outbox WHERE partition_key = $1 "
        "AND cloudevent->>'type' = 'giftflow.exchange.pick_drawn.v1' "
        "AND cloudevent->'data'->>'giver_person_id' <> $2",
        exchange["id"],
        p,
    )
    f.ids("pick event of another giver", [r["id"] for r in others])
    return exchange["id"]


async def _item(
    g: Gifting, who: Account, list_id: str, title: str, price: str, quantity: int
) -> dict:
    return await g.ok(
        "POST",
        who,
        f"/lists/{list_id}/items",
        201,
        json={"gift": {"title": title, "price": price, "currency": "GBP"}, "quantity": quantity},
    )
