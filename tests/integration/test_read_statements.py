"""How many SQL statements each read of the gateway runs, held at its ceiling.

Every statement is a round trip and, through the ORM, a millisecond or more of Python: the reads that a
family's browsing hits compose their answer in one statement, after the one that finds the caller's
membership. Counted on the engine, through the real app and Postgres, for a household that has some
of everything; a read that starts to run more fails here with its count."""

import httpx
import pytest
from sqlalchemy import event

from tests.integration.accounts import family
from tests.integration.gifting import Gifting

# route -> the most statements one request may run (the membership check included)
CEILINGS = {
    "/dashboard": 2,
    "/lists/{list}/items": 2,
    "/lists/{list}/items?status=idea": 2,
    "/gifts": 2,
    "/gifts?q=bike": 2,
    "/gifts?tag=outdoor": 2,
    "/gifts?person_id={person}": 2,
    "/gifts?status=idea": 2,
    "/gifts?occasion_id={occasion}": 2,
    "/gifts/{gift}": 2,
    "/people": 2,
    "/people/{person}": 2,
    "/lists": 2,
    "/lists/{list}": 2,
    "/occasions": 2,
    "/occasions/{occasion}": 2,
    "/history": 2,
    "/history?person_id={person}&thanked=false": 2,
    "/history/{record}": 2,
    "/history/similar?title=kite": 2,
    "/people/{person}/history": 3,  # the person, then what they received and gave
    # not yet composed in one statement
    "/tasks": 4,
    "/claims": 5,
    "/items/{item}": 6,
}


@pytest.fixture(scope="module")
async def counted_gateway(service_url):
    """The gateway in-process, with a count of the statements its engine executes."""
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    app = create_app(Settings(database_url=service_url("gateway"), db_pool_size=5))
    counter = {"statements": 0}

    def count(*_args) -> None:
        counter["statements"] += 1

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://gateway.test",
    ) as client:
        yield client, counter
    await app.state.engine.dispose()


@pytest.fixture(scope="module")
async def household(counted_gateway):
    client, _ = counted_gateway
    hid, ann, ben, cleo = await family(client)
    g = Gifting(client, hid)
    cleo_p = await g.person(ann, "Cleo", linked_to=cleo)
    abe = await g.person(ann, "Abe")
    occasion = await g.occasion(ann, "Birthday", "2020-05-01", [cleo_p, abe])
    wishes = await g.new_list(cleo, cleo_p, "wish", occasion_id=occasion)
    ideas = await g.new_list(ann, abe, "idea", occasion_id=occasion)
    bike = await g.add_item(cleo, wishes, "Bike", price="120.00", tags=["outdoor"])
    await g.add_item(ann, wishes, "Kite", price="15.00", from_santa=True)
    watch = await g.add_item(ann, ideas, "Watch", quantity=2, price="80.00")
    await g.claim(ben, bike["id"])
    await g.claim(ben, watch["id"])
    await g.ok(
        "PUT",
        ann,
        f"/occasions/{occasion}/budgets/{abe}",
        json={"amount": "100", "currency": "EUR"},
    )
    await g.ok("POST", ben, "/tasks", 201, json={"title": "Wrap", "assignee_id": ben.user_id})
    record = await g.ok(
        "POST",
        ann,
        "/history",
        201,
        json={
            "recipient_person_id": cleo_p,
            "giver_person_id": abe,
            "title": "Kite",
            "received_on": "2024-05-01",
            "occasion_id": occasion,
        },
    )
    ids = {
        "list": wishes,
        "person": cleo_p,
        "occasion": occasion,
        "gift": bike["gift_id"],
        "item": bike["id"],
        "record": record["id"],
    }
    return g, ids, (ann, ben, cleo)


@pytest.mark.parametrize("route", CEILINGS)
async def test_a_read_runs_no_more_statements_than_its_ceiling(counted_gateway, household, route):
    _, counter = counted_gateway
    g, ids, members = household
    for who in members:  # the grown-ups, and the child whose wish list it is
        before = counter["statements"]
        await g.ok("GET", who, route.format(**ids))
        ran = counter["statements"] - before
        assert ran <= CEILINGS[route], f"GET {route} as {who.name}: {ran} statements"
