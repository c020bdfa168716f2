"""Claims never add up to more than is wanted, however many arrive at once; pledges; unclaiming."""

import asyncio
import uuid

import asyncpg
import pytest

from tests.integration.accounts import family, invite_and_join
from tests.integration.gifting import Gifting, claim_sequence_breaks, outbox_events

CONCURRENT_CLAIMS = 100
STORM_MEMBERS, STORM_ROUNDS = 10, 3


async def test_a_hundred_concurrent_claims_on_the_last_unit_make_exactly_one_winner(
    gateway_client, admin_db
):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    grandpa = await g.person(ann, "Grandpa")
    item = await g.add_item(
        ann, await g.new_list(ann, grandpa), "Slippers", quantity=3, price="25.00"
    )
    assert (await g.claim(ann, item["id"], 2)).status_code == 201  # one unit left
    claimers = [ann, ben] + [
        await invite_and_join(gateway_client, hid, admin=ann, name=f"Cousin {i}") for i in range(8)
    ]

    responses = await asyncio.gather(
        *(g.claim(claimers[i % len(claimers)], item["id"]) for i in range(CONCURRENT_CLAIMS))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (CONCURRENT_CLAIMS - 1)
    loser = next(r for r in responses if r.status_code == 409).json()["error"]
    assert loser["code"] == "conflict" and "already claimed" in loser["message"]
    row = await admin_db.fetchrow(
        "SELECT i.claimed_quantity, (SELECT sum(quantity) FROM gateway.claim c WHERE c.list_item_id = i.id) AS total "
        "FROM gateway.list_item i WHERE i.id = $1",
        uuid.UUID(item["id"]),
    )
    assert row["claimed_quantity"] == 3 and row["total"] == 3
    claim_events = [
        e
        for e in await outbox_events(admin_db, item["id"])
        if e["type"] == "giftflow.claim.added.v1"
    ]
    assert (
        len(claim_events) == 2
    )  # the two units before, and the one winner: nothing for the losers
    assert (
        claim_events[-1]["data"]["claimed_quantity"] == 3
        and claim_events[-1]["data"]["wanted_quantity"] == 3
    )


async def test_a_storm_of_unclaims_and_claims_on_one_item_is_numbered_in_commit_order(
    gateway_client, admin_db
):
    hid, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    item = await g.add_item(
        ann, await g.new_list(ann, await g.person(ann, "Grandpa")), "Socks", quantity=STORM_MEMBERS
    )
    members = [
        await invite_and_join(gateway_client, hid, admin=ann, name=f"Cousin {i}")
        for i in range(STORM_MEMBERS)
    ]
    for member in members:
        assert (await g.claim(member, item["id"])).status_code == 201

    async def unclaim_and_claim(member) -> None:
        for _ in range(STORM_ROUNDS):
            await g.ok("DELETE", member, f"/items/{item['id']}/claims/mine", 204)
            assert (await g.claim(member, item["id"])).status_code == 201

    await asyncio.gather(*(unclaim_and_claim(m) for m in members))

    events = [
        e
        for e in await outbox_events(admin_db, item["id"])
        if e["type"].startswith("giftflow.claim.")
    ]
    assert len(events) == STORM_MEMBERS * (1 + 2 * STORM_ROUNDS)
    assert claim_sequence_breaks(events) == []


async def test_the_database_itself_refuses_claims_beyond_the_wanted_quantity(
    gateway_client, admin_db
):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    item = await g.add_item(
        ann, await g.new_list(ann, await g.person(ann, "Grandpa")), "Socks", quantity=1
    )
    insert = (
        "INSERT INTO gateway.claim (id, household_id, list_item_id, user_id, quantity, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, 1, now(), now())"
    )
    await admin_db.execute(
        insert, uuid.uuid4(), uuid.UUID(hid), uuid.UUID(item["id"]), uuid.UUID(ann.user_id)
    )
    with pytest.raises(asyncpg.CheckViolationError, match="ck_list_item_claims_within_quantity"):
        await admin_db.execute(
            insert, uuid.uuid4(), uuid.UUID(hid), uuid.UUID(item["id"]), uuid.UUID(ben.user_id)
        )
    await admin_db.execute(
        "DELETE FROM gateway.claim WHERE list_item_id = $1", uuid.UUID(item["id"])
    )
    assert (
        await admin_db.fetchval(
            "SELECT claimed_quantity FROM gateway.list_item WHERE id = $1", uuid.UUID(item["id"])
        )
        == 0
    )


async def test_claiming_again_adds_units_and_unclaiming_releases_them_with_an_event(
    gateway_client, admin_db
):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    item = await g.add_item(
        ann, await g.new_list(ann, await g.person(ann, "Grandpa")), "Mugs", quantity=4
    )
    await g.claim(ben, item["id"], 1)
    second = await g.claim(ben, item["id"], 2)
    assert second.status_code == 201 and second.json()["quantity"] == 3
    too_many = await g.claim(ann, item["id"], 2)
    assert too_many.status_code == 409 and "Only 1 of 4" in too_many.json()["error"]["message"]
    mine = await g.ok("GET", ben, "/claims")
    assert [(c["gift_title"], c["quantity"]) for c in mine["items"]] == [("Mugs", 3)]

    await g.ok("DELETE", ben, f"/items/{item['id']}/claims/mine", 204)
    assert (await g.ok("GET", ann, f"/items/{item['id']}"))["claimed_quantity"] == 0
    assert await g.ok("GET", ann, f"/items/{item['id']}/claims") == []
    again = await g.call("DELETE", ben, f"/items/{item['id']}/claims/mine")
    assert again.status_code == 404
    removed = [
        e
        for e in await outbox_events(admin_db, item["id"])
        if e["type"] == "giftflow.claim.removed.v1"
    ]
    assert [
        (e["data"]["user_id"], e["data"]["quantity"], e["data"]["claimed_quantity"])
        for e in removed
    ] == [(ben.user_id, 3, 0)]


async def test_fewer_wanted_than_claimed_is_refused_to_a_giver(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    item = await g.add_item(
        ann, await g.new_list(ann, await g.person(ann, "Grandpa")), "Pens", quantity=3
    )
    await g.claim(ben, item["id"], 2)
    response = await g.call("PATCH", ann, f"/items/{item['id']}", json={"quantity": 1})
    assert (
        response.status_code == 409 and response.json()["error"]["details"]["claimed_quantity"] == 2
    )


async def test_a_wisher_wanting_fewer_releases_the_newest_claims_without_learning_of_them(
    gateway_client, admin_db
):
    hid, ann, ben, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    cleo_p = await g.person(ann, "Cleo", linked_to=cleo)
    item = await g.add_item(cleo, await g.new_list(cleo, cleo_p), "Stickers", quantity=3)
    await g.claim(ann, item["id"], 1)
    await g.claim(ben, item["id"], 2)
    fewer = await g.ok("PATCH", cleo, f"/items/{item['id']}", json={"quantity": 1})
    assert fewer["quantity"] == 1 and fewer["claimed_quantity"] is None
    claims = await g.ok("GET", ann, f"/items/{item['id']}/claims")
    assert [(c["user_id"], c["quantity"]) for c in claims] == [(ann.user_id, 1)]
    [released] = [
        e
        for e in await outbox_events(admin_db, item["id"])
        if e["type"] == "giftflow.claim.removed.v1"
    ]
    assert released["data"]["user_id"] == ben.user_id and released["data"]["hidden_from"] == [
        cleo.user_id
    ]


async def test_co_gifters_pledge_toward_one_gift_and_can_change_or_withdraw(
    gateway_client, admin_db
):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    item = await g.add_item(
        ann, await g.new_list(ann, await g.person(ann, "Grandpa")), "Bike", price="300.00"
    )
    gift_id = item["gift_id"]
    first = await g.ok("PUT", ann, f"/gifts/{gift_id}/pledges/mine", 201, json={"amount": "100"})
    assert first["currency"] == "EUR" and first["amount"] == "100.00"
    await g.ok("PUT", ben, f"/gifts/{gift_id}/pledges/mine", 201, json={"amount": "50"})
    changed = await g.ok(
        "PUT", ben, f"/gifts/{gift_id}/pledges/mine", 200, json={"amount": "75.50"}
    )
    assert changed["amount"] == "75.50"
    wrong = await g.call(
        "PUT", ann, f"/gifts/{gift_id}/pledges/mine", json={"amount": "5", "currency": "USD"}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["field"] == "currency"
    pledges = await g.ok("GET", ann, f"/gifts/{gift_id}/pledges")
    assert sorted(p["amount"] for p in pledges) == ["100.00", "75.50"]
    await g.ok("DELETE", ben, f"/gifts/{gift_id}/pledges/mine", 204)
    types = [
        e["type"]
        for e in await outbox_events(admin_db, gift_id)
        if e["type"].startswith("giftflow.pledge")
    ]
    assert types == [
        "giftflow.pledge.added.v1",
        "giftflow.pledge.added.v1",
        "giftflow.pledge.changed.v1",
        "giftflow.pledge.removed.v1",
    ]


async def test_a_recipient_cannot_claim_or_pledge_for_their_own_wish_whatever_its_state(
    gateway_client,
):
    hid, ann, _, cleo = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    cleo_p = await g.person(ann, "Cleo", linked_to=cleo)
    wishes = await g.new_list(cleo, cleo_p)
    free = await g.add_item(cleo, wishes, "Kite", price="10.00")
    taken = await g.add_item(cleo, wishes, "Ball", price="5.00")
    await g.claim(ann, taken["id"])
    answers = [await g.claim(cleo, free["id"]), await g.claim(cleo, taken["id"])]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json()["error"]["message"] == answers[1].json()["error"]["message"]
    pledge = await g.call(
        "PUT", cleo, f"/gifts/{free['gift_id']}/pledges/mine", json={"amount": "1"}
    )
    assert pledge.status_code == 403


async def test_a_claimed_item_is_moved_along_by_who_claimed_it_or_an_admin(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    dan = await invite_and_join(gateway_client, hid, admin=ann, role="adult", name="Dan")
    g = Gifting(gateway_client, hid)
    grandpa = await g.person(ann, "Grandpa")
    item = await g.add_item(ann, await g.new_list(ann, grandpa), "Pipe")
    await g.move(dan, item["id"], "selected")  # nobody has claimed it yet: any grown-up may
    assert (await g.claim(ben, item["id"])).status_code == 201

    refused = await g.call("POST", dan, f"/items/{item['id']}/status", json={"status": "purchased"})
    assert refused.status_code == 403
    assert "claimed" in refused.json()["error"]["message"]
    await g.move(ben, item["id"], "purchased")
    await g.move(ann, item["id"], "wrapped")  # an admin may


async def test_a_given_items_claim_is_history_and_cannot_be_released(gateway_client):
    hid, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, hid)
    grandpa = await g.person(ann, "Grandpa")
    item = await g.add_item(ann, await g.new_list(ann, grandpa), "Pipe")
    assert (await g.claim(ben, item["id"])).status_code == 201
    await g.move(ben, item["id"], "selected", "purchased", "wrapped", "given")

    release = await g.call("DELETE", ben, f"/items/{item['id']}/claims/mine")
    assert release.status_code == 409
    assert "given" in release.json()["error"]["message"]
    given = await g.ok("GET", ben, f"/items/{item['id']}")
    assert given["status"] == "given" and given["claimed_quantity"] == 1
