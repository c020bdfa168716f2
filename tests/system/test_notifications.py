"""Live notifications through the whole stack: a write at the gateway, its event through Kafka, the
notification service, Postgres LISTEN/NOTIFY and an SSE stream the browser opens at the gateway's origin."""

import asyncio
from dataclasses import dataclass

import httpx
import pytest

from scripts.stack.processes import Stack
from tests.integration.accounts import Account, family, invite_and_join, new_household, sign_up
from tests.integration.gifting import Gifting
from tests.sse_client import SseStream, open_stream
from tests.system.conftest import PATIENCE_S, eventually


@dataclass
class Smiths:
    household_id: str
    ann: Account  # admin
    ben: Account  # adult
    cleo: Account  # child
    gifting: Gifting
    wishes: str  # Cleo's wish list
    bike: dict  # on it

    @property
    def stream(self) -> str:
        return f"/api/households/{self.household_id}/notifications/stream"

    @property
    def notifications(self) -> str:
        return f"/api/households/{self.household_id}/notifications"


async def known_to_notifications(
    gateway: httpx.AsyncClient, household_id: str, *members: Account
) -> None:
    """The notification service has heard of each member joining (it learns of them from events)."""
    for member in members:

        async def known() -> bool:
            response = await gateway.get(
                f"/api/households/{household_id}/notifications/unread-count", headers=member.headers
            )
            return response.status_code == 200

        await eventually(known, f"the notification service knows {member.name}")


async def next_notification(stream: SseStream, starting: str) -> None:
    """Wait for a notification whose text starts so (names of things may still be arriving on other topics)."""
    await stream.until(
        lambda e: e.event == "notification" and e.data["text"].startswith(starting),
        timeout=PATIENCE_S,
    )


@pytest.fixture
async def smiths(gateway: httpx.AsyncClient) -> Smiths:
    """Ann (admin), Ben (adult) and Cleo (child), and Cleo's wish list with a bike on it."""
    household_id, ann, ben, cleo = await family(gateway)
    gifting = Gifting(gateway, household_id)
    cleo_person = await gifting.person(ann, "Cleo", linked_to=cleo)
    wishes = await gifting.new_list(cleo, cleo_person, kind="wish", name="Cleo's wishes")
    bike = await gifting.add_item(cleo, wishes, "Bike", price="120.00")
    await known_to_notifications(gateway, household_id, ann, ben, cleo)
    return Smiths(household_id, ann, ben, cleo, gifting, wishes, bike)


async def test_a_claim_reaches_another_members_stream_but_never_the_recipients(
    stack, gateway, smiths: Smiths
):
    async with (
        open_stream(gateway, smiths.stream, cookie=smiths.ann.access_token) as anns,
        open_stream(gateway, smiths.stream, cookie=smiths.cleo.access_token) as cleos,
    ):
        await anns.next("ready")
        await cleos.next("ready")
        assert (await smiths.gifting.claim(smiths.ben, smiths.bike["id"])).status_code == 201

        await next_notification(anns, "Ben claimed")
        # a change Cleo may see, made after the claim reached Ann: once it reaches Cleo, anything the
        # claim had sent her would have come before it (one member's stream is in order)
        renamed = await gateway.patch(
            f"/api/households/{smiths.household_id}",
            json={"name": "The Smiths"},
            headers=smiths.ann.headers,
        )
        assert renamed.status_code == 200, renamed.text
        await cleos.until(
            lambda e: e.event == "entity_changed" and e.data["entity"] == "household",
            timeout=PATIENCE_S,
        )

    claim_changes = [
        e for e in anns.seen if e.event == "entity_changed" and e.data["entity"] == "claim"
    ]
    assert claim_changes and claim_changes[0].data["list_item_id"] == smiths.bike["id"]
    for event in cleos.seen:
        assert event.data.get("entity") != "claim", event
        assert "claimed" not in str(event.data), event


async def test_a_reconnect_with_last_event_id_gets_exactly_the_missed_messages_in_order(
    stack, gateway, smiths: Smiths
):
    ann, ben = smiths.ann, smiths.ben
    async with open_stream(gateway, smiths.stream, cookie=ben.access_token) as first:
        last_seen = (await first.next("ready")).id

    grandma = await smiths.gifting.person(ann, "Grandma")
    ideas = await smiths.gifting.new_list(ann, grandma, kind="idea", name="Grandma ideas")
    missed = ["Kite", "Scarf", "Puzzle"]
    for title in missed:
        await smiths.gifting.add_item(ann, ideas, title)

    async def all_missed_notified() -> bool:
        # by text, not by count: the fixture's own notifications may still be arriving meanwhile
        response = await gateway.get(
            smiths.notifications, params={"limit": 50}, headers=ben.headers
        )
        texts = " ".join(n["text"] for n in response.json()["items"])
        return all(f"Ann added “{title}”" in texts for title in missed)

    await eventually(all_missed_notified, "Ben was notified of the new list and its items")
    async with open_stream(
        gateway, smiths.stream, cookie=ben.access_token, last_event_id=last_seen
    ) as again:
        replayed = await again.until(lambda e: e.event == "ready", timeout=PATIENCE_S)

    messages = replayed[:-1]
    ids = [int(m.id) for m in messages]
    assert ids == list(
        range(int(last_seen) + 1, int(last_seen) + 1 + len(ids))
    )  # in order, none twice, no gap
    assert replayed[-1].id == str(ids[-1])
    added = [
        m.data["text"].split("”")[0] + "”"
        for m in messages
        if m.event == "notification" and m.data["text"].startswith("Ann added “")
    ]
    assert sorted(added) == sorted(f"Ann added “{t}”" for t in missed)


async def test_two_replicas_each_deliver_every_message_to_their_own_clients(
    stack: Stack, gateway, smiths: Smiths
):
    second_port = stack.t.base_port + 11
    stack.start_app("notification", name="app-notification-2", port=second_port)
    try:
        async with (
            httpx.AsyncClient(base_url=stack.t.app_url("notification"), timeout=30) as first,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{second_port}", timeout=30) as second,
        ):
            async with (
                open_stream(first, smiths.stream, cookie=smiths.ben.access_token) as bens,
                open_stream(second, smiths.stream, cookie=smiths.ann.access_token) as anns,
            ):
                await bens.next("ready")
                await anns.next("ready")
                await smiths.gifting.add_item(smiths.cleo, smiths.wishes, "Roller skates")
                await asyncio.gather(
                    next_notification(bens, "Cleo added “Roller skates”"),
                    next_notification(anns, "Cleo added “Roller skates”"),
                )
    finally:
        stack.stop("app-notification-2")


async def test_a_member_of_another_household_sees_nothing(stack, gateway, smiths: Smiths):
    stranger = await sign_up(gateway, name="Stranger")
    their_household = await new_household(gateway, stranger, "Joneses")
    await known_to_notifications(gateway, their_household, stranger)

    for path in ("", "/unread-count", "/preferences"):
        response = await gateway.get(f"{smiths.notifications}{path}", headers=stranger.headers)
        assert response.status_code == 404, path
    async with open_stream(gateway, smiths.stream, cookie=stranger.access_token, expect=404):
        pass
    audit = await gateway.get(
        f"/api/households/{smiths.household_id}/audit", headers=stranger.headers
    )
    assert audit.status_code == 404

    their_stream = f"/api/households/{their_household}/notifications/stream"
    async with open_stream(gateway, their_stream, cookie=stranger.access_token) as theirs:
        await theirs.next("ready")
        assert (await smiths.gifting.claim(smiths.ben, smiths.bike["id"])).status_code == 201
        # their own household's change arrives; nothing of the Smiths' claim comes with it
        await gateway.patch(
            f"/api/households/{their_household}",
            json={"name": "The Joneses"},
            headers=stranger.headers,
        )
        await theirs.until(lambda e: e.event == "entity_changed", timeout=PATIENCE_S)
    assert [e.data["entity"] for e in theirs.seen if e.event == "entity_changed"] == ["household"]
    assert [e for e in theirs.seen if e.event == "notification"] == []


async def test_notifications_are_listed_and_marked_read_through_the_gateway(
    stack, gateway, smiths: Smiths
):
    ann, url = smiths.ann, smiths.notifications
    assert (await smiths.gifting.claim(smiths.ben, smiths.bike["id"])).status_code == 201

    async def anns_claim_notice() -> bool:
        items = (await gateway.get(url, headers=ann.headers)).json()["items"]
        return any(n["text"].startswith("Ben claimed") for n in items)

    await eventually(anns_claim_notice, "Ann's notification of Ben's claim")
    notice = next(
        n
        for n in (await gateway.get(url, headers=ann.headers)).json()["items"]
        if n["text"].startswith("Ben claimed")
    )
    assert (
        await gateway.post(f"{url}/{notice['id']}/read", headers=ann.headers)
    ).status_code == 204
    unread = (await gateway.get(url, params={"unread_only": True}, headers=ann.headers)).json()[
        "items"
    ]
    assert notice["id"] not in [n["id"] for n in unread]
    cleos = (await gateway.get(url, headers=smiths.cleo.headers)).json()["items"]
    assert not any("claimed" in n["text"] for n in cleos)


async def test_a_new_member_is_reached_once_they_have_joined(stack, gateway, smiths: Smiths):
    dan = await invite_and_join(
        gateway, smiths.household_id, admin=smiths.ann, role="adult", name="Dan"
    )
    await known_to_notifications(gateway, smiths.household_id, dan)
    async with open_stream(gateway, smiths.stream, cookie=dan.access_token) as dans:
        await dans.next("ready")
        await smiths.gifting.claim(smiths.ben, smiths.bike["id"])
        await next_notification(dans, "Ben claimed")


async def test_each_giver_of_a_gift_exchange_is_told_their_own_pick_and_nobody_elses(
    stack, gateway, smiths: Smiths
):
    """Through Kafka, the notification service and the REST API: Ben and Cleo are each told whom they
    give to, and of the draw; Ann, who drew (and holds Grandpa's pick, as he is no member), is told
    nothing: a notification never goes to its actor."""
    import asyncpg

    from tests.security.households import caught_up

    g = smiths.gifting
    ann, ben, cleo = smiths.ann, smiths.ben, smiths.cleo
    listed = (await g.ok("GET", ann, "/people"))["items"]
    people = {
        "Ann": await g.person(ann, "Ann", linked_to=ann),
        "Ben": await g.person(ann, "Ben", linked_to=ben),
        "Cleo": next(p["id"] for p in listed if p["name"] == "Cleo"),
        "Grandpa": await g.person(ann, "Grandpa"),
    }
    christmas = await g.occasion(ann, "Christmas", "2026-12-25", [], kind="christmas")
    body = {
        "occasion_id": christmas,
        "name": "Santa",
        "deadline": "2099-12-24",
        "person_ids": list(people.values()),
    }
    exchange = await g.ok("POST", ann, "/exchanges", 201, json=body)
    await g.ok("POST", ann, f"/exchanges/{exchange['id']}/draw")
    db = await asyncpg.connect(stack.t.database_dsn())
    try:
        rows = await db.fetch(
            "SELECT giver_person_id::text AS g, receiver_person_id::text AS r "
            "FROM gateway.exchange_pick WHERE exchange_id = $1",
            exchange["id"],
        )
        await caught_up(db, smiths.household_id, consumers=("notification",))
    finally:
        await db.close()
    name_of = {v: k for k, v in people.items()}
    receiver_of = {name_of[r["g"]]: name_of[r["r"]] for r in rows}

    async def told(who: Account) -> list[str]:
        answer = await gateway.get(smiths.notifications, params={"limit": 200}, headers=who.headers)
        return sorted(n["text"] for n in answer.json()["items"] if "Santa" in n["text"])

    for name, who in (("Ben", ben), ("Cleo", cleo)):
        assert await told(who) == sorted(
            [
                "Ann started the gift exchange “Santa”: you are taking part",
                "Names for “Santa” were drawn",
                f"“Santa”: you give to {receiver_of[name]}",
            ]
        )
    assert await told(ann) == []


async def test_a_page_closed_at_the_gateway_ends_its_stream_at_the_notification_service(
    stack: Stack, gateway, smiths: Smiths
):
    """The gateway passes each open page's stream on from the notification service: when the page
    goes, the stream the gateway held upstream for it ends too (a gateway that kept reading it would
    keep it open for good: its heartbeats would be written to a connection nobody reads)."""

    async def streams_open() -> float:
        async with httpx.AsyncClient(base_url=stack.t.app_url("notification")) as notification:
            metrics = (await notification.get("/metrics")).text
        # no line before the service's first stream
        lines = [m for m in metrics.splitlines() if m.startswith("giftflow_sse_connections{")]
        return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0

    before = await streams_open()
    async with open_stream(gateway, smiths.stream, cookie=smiths.ann.access_token) as anns:
        await anns.next("ready")
        assert await streams_open() >= before + 1

    async def let_go() -> bool:
        return await streams_open() <= before

    await eventually(let_go, "the notification service's stream ended after the page closed")
