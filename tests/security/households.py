"""Households to attack, built through the REST API as a family would, and a wait until every consumer
has heard of them.

    a = await rich_household(client, admin_db)       # one of everything, all of it secret to outsiders
    b = await bare_household(client)                  # its member is the outsider
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import yaml

from scripts.stack.topology import ROOT
from tests.integration.accounts import Account, invite, invite_and_join, new_household, sign_up
from tests.integration.gifting import Gifting
from tests.security.facts import Facts
from tests.system.conftest import eventually

SUBSCRIPTIONS = ROOT / "dapr" / "subscriptions"


def token() -> str:
    return uuid.uuid4().hex[:8]


def soon(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


def subscribed_topics(consumer: str) -> list[str]:
    path = Path(SUBSCRIPTIONS / f"{consumer}.yaml")
    return [doc["spec"]["topic"] for doc in yaml.safe_load_all(path.read_text()) if doc]


async def caught_up(
    db: asyncpg.Connection, household_id: str, consumers=("notification", "audit")
) -> None:
    """Every event of the household so far has been processed by each of `consumers`."""
    topics = {consumer: subscribed_topics(consumer) for consumer in consumers}

    async def done() -> bool:
        for consumer in consumers:
            missing = await db.fetchval(
                f"SELECT count(*) FROM gateway.outbox o WHERE o.cloudevent->>'household' = $1 "
                f"AND o.topic = ANY($2::text[]) AND NOT EXISTS "
                f"(SELECT 1 FROM {consumer}.processed_event p WHERE p.event_id = o.id)",
                household_id,
                topics[consumer],
            )
            if missing:
                return False
        return True

    await eventually(done, f"{', '.join(consumers)} caught up with household {household_id}")


async def known_to_notifications(
    client: httpx.AsyncClient, household_id: str, *members: Account
) -> None:
    for member in members:

        async def known() -> bool:
            response = await client.get(
                f"/api/households/{household_id}/notifications/unread-count", headers=member.headers
            )
            return response.status_code == 200

        await eventually(known, f"the notification service knows {member.name}")


@dataclass
class Household:
    id: str
    admin: Account
    members: list[Account]
    ids: dict[str, str] = field(default_factory=dict)  # path parameter name -> one of its objects
    secrets: Facts = field(default_factory=Facts)  # what nobody outside may learn


async def bare_household(client: httpx.AsyncClient) -> Household:
    admin = await sign_up(client, name=f"Outsider {token()}")
    household_id = await new_household(client, admin, f"Outsiders {token()}")
    return Household(household_id, admin, [admin], {"household_id": household_id})


async def rich_household(client: httpx.AsyncClient, db: asyncpg.Connection) -> Household:
    """One of everything: people, an occasion, a wish and an idea list, gifts on them and off them, claims,
    a pledge and a contributor, comments, tags, a budget, a task with reminders and recurrence, a gift
    history (received and given), an open invitation, notifications and audit entries; every name,
    text, amount and id of it is a secret."""
    t = token()
    s = Facts()
    admin = await sign_up(client, name=s.text("admin's name", f"Alder {t}"))
    household_id = await new_household(client, admin, s.text("household name", f"Arbuckles {t}"))
    adult = await invite_and_join(
        client, household_id, admin=admin, role="adult", name=s.text("name", f"Birch {t}")
    )
    child = await invite_and_join(
        client, household_id, admin=admin, role="child", name=s.text("name", f"Cedar {t}")
    )
    g = Gifting(client, household_id)
    await known_to_notifications(client, household_id, admin, adult)

    linked = await g.person(
        admin,
        s.text("person", f"Dahlia {t}"),
        linked_to=adult,
        notes=s.text("person notes", f"Allergic to walnuts {t}"),
    )
    person = await g.person(
        admin, s.text("person", f"Elspeth {t}"), interests=[s.text("interest", f"origami{t}")]
    )
    occasion = await g.occasion(admin, s.text("occasion", f"Feast {t}"), soon(25), [linked, person])
    wishes = await g.new_list(adult, linked, "wish", s.text("list", f"Wishes {t}"), occasion)
    ideas = await g.new_list(admin, person, "idea", s.text("list", f"Ideas {t}"), occasion)
    wish = await g.ok(
        "POST",
        adult,
        f"/lists/{wishes}/items",
        201,
        json={
            "gift": {
                "title": s.text("gift", f"Gondola {t}"),
                "price": s.amount("price", "73.19"),
                "currency": "EUR",
            },
            "notes": s.text("item notes", f"Blue please {t}"),
        },
    )
    idea = await g.ok(
        "POST",
        admin,
        f"/lists/{ideas}/items",
        201,
        json={
            "quantity": 2,
            "gift": {
                "title": s.text("gift", f"Harp {t}"),
                "price": "52.61",
                "currency": "EUR",
                "notes": s.text("gift notes", f"From the shop on the quay {t}"),
                "tags": [s.text("tag", f"hobby{t}")],
            },
        },
    )
    gift = await g.ok(
        "POST",
        admin,
        "/gifts",
        201,
        json={
            "title": s.text("gift", f"Igloo kit {t}"),
            "url": f"https://example.com/{s.text('url', f'igloo-{t}')}",
            "recipient_ids": [person],
            "tags": [s.text("tag", f"winter{t}")],
        },
    )
    claim = await g.ok("POST", adult, f"/items/{idea['id']}/claims", 201, json={"quantity": 1})
    pledge = await g.ok(
        "PUT",
        adult,
        f"/gifts/{gift['id']}/pledges/mine",
        201,
        json={"amount": s.amount("pledge", "19.83"), "currency": "EUR"},
    )
    await g.ok(
        "POST",
        admin,
        f"/gifts/{gift['id']}/people",
        201,
        json={"person_id": linked, "role": "contributor"},
    )
    comment = await g.ok(
        "POST",
        admin,
        f"/gifts/{idea['gift_id']}/comments",
        201,
        json={"body": s.text("comment", f"Shall we split it {t}?")},
    )
    list_comment = await g.ok(
        "POST",
        adult,
        f"/lists/{wishes}/comments",
        201,
        json={"body": s.text("comment", f"Sizes are on the fridge {t}")},
    )
    budget = await g.ok(
        "PUT",
        admin,
        f"/occasions/{occasion}/budgets/{person}",
        200,
        json={"amount": s.amount("budget", "61.47"), "currency": "EUR"},
    )
    task = await g.ok(
        "POST",
        admin,
        "/tasks",
        201,
        json={
            "title": s.text("task", f"Wrap the harp {t}"),
            "notes": s.text("task notes", f"Paper in the attic {t}"),
            "assignee_id": adult.user_id,
            "due_at": later(20),
            "reminders": ["P1D", "PT2H"],
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=1",
            "occasion_id": occasion,
            "person_id": person,
            "list_item_id": idea["id"],
        },
    )
    # a gift exchange, drawn: its name and whom each one draws are A's
    exchange = await g.ok(
        "POST",
        admin,
        "/exchanges",
        201,
        json={
            "occasion_id": occasion,
            "name": s.text("gift exchange", f"Jumble {t}"),
            "deadline": soon(20),
            "person_ids": [linked, person, await g.person(admin, s.text("person", f"Kestrel {t}"))],
            "price_max": s.amount("exchange price", "29.37"),
            "currency": "EUR",
        },
    )
    await g.ok("POST", admin, f"/exchanges/{exchange['id']}/draw")
    # a gift in the history, received from someone outside the household
    record = await g.ok(
        "POST",
        admin,
        "/history",
        201,
        json={
            "recipient_person_id": person,
            "giver_name": s.text("giver", f"Lavender {t}"),
            "title": s.text("gift", f"Marimba {t}"),
            "received_on": soon(-3),
            "price": s.amount("price", "41.73"),
            "currency": "EUR",
            "notes": s.text("history notes", f"Thank her at Easter {t}"),
        },
    )
    # and one handed over: given at once
    handed = await g.ok(
        "POST",
        admin,
        f"/lists/{ideas}/items",
        201,
        json={"gift": {"title": s.text("gift", f"Jigsaw {t}")}},
    )
    await g.move(admin, handed["id"], "selected", "purchased", "wrapped", "given")
    given = [
        r["id"] for r in (await g.ok("GET", admin, "/history", params={"source": "given"}))["items"]
    ]
    assert given, "the jigsaw handed over is in the history"

    code = await invite(client, household_id, admin, "adult")
    invitation = (await g.ok("GET", admin, "/invitations"))[0]
    tag = next(x for x in (await g.ok("GET", admin, "/tags"))["items"] if x["name"] == f"hobby{t}")

    # A's calendar subscriptions: a live one (its address a secret B must never be answered) and a
    # revoked one, whose address is what B is given to try (a live address is a key, like a password)
    feed = await g.ok("POST", adult, "/calendar-feeds", 201, json={"name": "Phone"})
    revoked = await g.ok("POST", adult, "/calendar-feeds", 201, json={"name": "Old phone"})
    await g.ok("DELETE", adult, f"/calendar-feeds/{revoked['id']}", 204)

    reminder_id = await _reminder_of(db, task["id"])
    await caught_up(db, household_id)
    [notification] = (await g.ok("GET", adult, "/notifications", params={"limit": 1}))["items"]

    ids = {
        "household_id": household_id,
        "user_id": adult.user_id,
        "person_id": person,
        "occasion_id": occasion,
        "list_id": ideas,
        "item_id": idea["id"],
        "gift_id": gift["id"],
        "comment_id": comment["id"],
        "task_id": task["id"],
        "reminder_id": reminder_id,
        "tag_id": tag["id"],
        "invitation_id": invitation["id"],
        "claim_id": claim["id"],
        "notification_id": notification["id"],
        "feed_id": feed["id"],
        "token": _feed_token(revoked),
        "exchange_id": exchange["id"],
        "record_id": record["id"],
    }
    s.ids(
        "an id of one of A's objects",
        [
            *ids.values(),
            linked,
            wishes,
            wish["id"],
            wish["gift_id"],
            idea["gift_id"],
            pledge["id"],
            list_comment["id"],
            budget["id"],
            admin.user_id,
            child.user_id,
            handed["id"],
            handed["gift_id"],
            *given,
        ],
    )
    s.text("invitation code", code)
    s.text("calendar feed address", _feed_token(feed))
    return Household(household_id, admin, [admin, adult, child], ids, s)


def _feed_token(feed: dict) -> str:
    return feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")


async def _reminder_of(db: asyncpg.Connection, task_id: str) -> str:
    """The reminder service's id of a task's reminder (no API lists them; a notification names it when due)."""
    found: list[str] = []

    async def scheduled() -> bool:
        row = await db.fetchval(
            "SELECT id::text FROM reminder.reminder WHERE subject_id = $1::uuid LIMIT 1", task_id
        )
        found[:] = [row] if row else []
        return bool(row)

    await eventually(scheduled, f"a reminder of task {task_id} scheduled")
    return found[0]
