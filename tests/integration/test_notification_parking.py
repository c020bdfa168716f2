"""Events that overtake their household's creation (topics keep no order between them) are parked by the
notification service, acknowledged, and handled once the household is known: never lost, never twice,
and never holding up what comes behind them."""

import uuid
from datetime import UTC, datetime

import pytest

from services.notification.handlers import HANDLERS
from services.notification.models import processed_event
from services.notification.retention import prune
from shared.consumer import BulkConsumer
from shared.events import household as h
from tests.integration.test_notification_fanout import Family, cloudevent, notifications_of


@pytest.fixture
def early(sessions_for) -> Family:
    """A household whose events are about to arrive, its creation not first."""
    consumer = BulkConsumer("notification", sessions_for("notification"), processed_event, HANDLERS)
    return Family(consumer, *(uuid.uuid4() for _ in range(5)))


def created(family: Family) -> h.HouseholdCreated:
    return h.HouseholdCreated(
        household_id=family.household_id,
        actor_id=family.ann,
        name="Late",
        created_at=datetime.now(UTC),
        creator_display_name="Ann",
    )


def joined(family: Family, user: uuid.UUID, name: str) -> h.MemberJoined:
    return h.MemberJoined(
        household_id=family.household_id,
        actor_id=user,
        user_id=user,
        display_name=name,
        role="adult",
        joined_at=datetime.now(UTC),
    )


async def deliver_raw(family: Family, *ces: dict) -> list[str]:
    answer = await family.consumer.handle_bulk(
        {"entries": [{"entryId": str(i), "event": ce} for i, ce in enumerate(ces)]}
    )
    return [s["status"] for s in answer["statuses"]]


async def parked(admin_db, family: Family) -> int:
    return await admin_db.fetchval(
        "SELECT count(*) FROM notification.parked_event WHERE household_id = $1",
        family.household_id,
    )


async def test_a_claim_that_overtakes_its_households_creation_is_told_once_the_household_comes(
    early: Family, admin_db
):
    claim = cloudevent(early.claim(early.ben))
    assert await deliver_raw(early, claim) == ["SUCCESS"]  # acknowledged, not held up
    assert await parked(admin_db, early) == 1

    await early.deliver(created(early), joined(early, early.ben, "Ben"))

    # handled as the household came, before Ben's joining told his name
    assert await notifications_of(admin_db, early, early.ann) == ["Someone claimed a gift"]
    assert await parked(admin_db, early) == 0


async def test_a_parked_event_is_handled_once_whatever_is_redelivered_after_it(
    early: Family, admin_db
):
    claim = cloudevent(early.claim(early.ben))
    assert await deliver_raw(early, claim) == ["SUCCESS"]
    creation = cloudevent(created(early))
    assert await deliver_raw(early, creation) == ["SUCCESS"]

    # the claim and the creation again (a redelivery), and another member: nothing is replayed twice
    assert await deliver_raw(early, claim, creation) == ["SUCCESS", "SUCCESS"]
    await early.deliver(joined(early, early.dad, "Dad"))

    assert await notifications_of(admin_db, early, early.ann) == ["Someone claimed a gift"]
    assert await notifications_of(admin_db, early, early.dad) == []


async def test_events_parked_for_a_household_are_handled_in_the_order_they_came(
    early: Family, admin_db
):
    first, second = early.gift(early.ben, "First"), early.gift(early.ben, "Second")
    assert await deliver_raw(early, cloudevent(first), cloudevent(second)) == ["SUCCESS"] * 2
    # and in one batch with the creation, behind it
    await early.deliver(early.gift(early.ben, "Third"), created(early))

    assert await notifications_of(admin_db, early, early.ann) == [
        "Someone added the gift “First”",
        "Someone added the gift “Second”",
        "Someone added the gift “Third”",
    ]


async def test_an_orphan_is_acknowledged_and_dropped_by_retention_once_its_household_cannot_come(
    early: Family, admin_db, service_url
):
    from shared.db import create_engine

    orphan = cloudevent(early.claim(early.ben))
    young = Family(early.consumer, *(uuid.uuid4() for _ in range(5)))
    assert await deliver_raw(early, orphan, cloudevent(young.claim(young.ben))) == ["SUCCESS"] * 2
    await admin_db.execute(
        "UPDATE notification.parked_event SET parked_at = now() - interval '8 days' "
        "WHERE household_id = $1",
        early.household_id,
    )
    engine = create_engine(service_url("notification"), pool_size=1)
    try:
        pruned = await prune(
            engine, datetime.now(UTC), stream_days=7, notification_days=180, parked_days=7
        )
    finally:
        await engine.dispose()

    assert pruned["parked_events"] >= 1
    assert await parked(admin_db, early) == 0
    assert await parked(admin_db, young) == 1  # still within the window
    await early.deliver(created(early))  # too late: the household comes after the window
    assert await notifications_of(admin_db, early, early.ann) == []


async def test_a_household_created_without_its_creator_leaves_what_waits_to_its_first_member(
    early: Family, admin_db
):
    nobodys = created(early).model_copy(update={"actor_id": None})
    await early.deliver(early.gift(early.ann, "Early"), nobodys)
    assert await parked(admin_db, early) == 1

    await early.deliver(joined(early, early.ben, "Ben"))

    assert await notifications_of(admin_db, early, early.ben) == ["Someone added the gift “Early”"]
    assert await parked(admin_db, early) == 0
