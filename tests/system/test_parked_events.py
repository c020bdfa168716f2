"""An event that overtakes its household's creation through the real stack (Kafka keeps no order between
topics): the notification service parks it, acknowledges it so the partition moves on, and tells the
members once the household comes, once."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from shared.events import Event
from shared.events import gifting as g
from shared.events import household as h
from shared.outbox import to_cloudevent
from shared.tokens import create_access_token
from tests.sse_client import open_stream
from tests.system.conftest import PATIENCE_S, eventually, publish_raw


def claim(household_id: uuid.UUID, by: uuid.UUID, list_item_id: uuid.UUID) -> g.ClaimAdded:
    return g.ClaimAdded(
        household_id=household_id,
        actor_id=by,
        claim_id=uuid.uuid4(),
        list_item_id=list_item_id,
        list_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        user_id=by,
        quantity=1,
        claimed_quantity=1,
        wanted_quantity=1,
    )


async def publish(stack, event: Event, key: uuid.UUID | None = None) -> dict:
    ce = to_cloudevent(event, uuid.uuid4(), datetime.now(UTC))
    await publish_raw(stack, event.topic, ce, str(key or event.aggregate_id()))
    return ce


async def handled_by_notification(db, ce: dict) -> None:
    async def handled() -> bool:
        return bool(
            await db.fetchval(
                "SELECT count(*) FROM notification.processed_event WHERE event_id = $1",
                uuid.UUID(ce["id"]),
            )
        )

    await eventually(handled, f"notification handled {ce['type']}")


async def test_a_claim_before_its_household_reaches_the_members_stream_once_the_household_comes(
    stack, db
):
    household_id, ann, ben = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    item = uuid.uuid4()
    # an orphan first, on the claim's own partition (one key): its household never comes
    await publish(stack, claim(uuid.uuid4(), uuid.uuid4(), item))
    early = await publish(stack, claim(household_id, ben, item))

    await handled_by_notification(db, early)  # acknowledged: the orphan held up nothing behind it
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notification.parked_event WHERE household_id = $1", household_id
        )
        == 1
    )

    created = await publish(
        stack,
        h.HouseholdCreated(
            household_id=household_id,
            actor_id=ann,
            name="Late",
            created_at=datetime.now(UTC),
            creator_display_name="Ann",
        ),
    )
    await handled_by_notification(db, created)
    # the claim again (a redelivery) and another member: neither tells Ann twice
    await publish_raw(stack, g.ClaimAdded.topic, early, str(item))
    behind = await publish(stack, claim(uuid.uuid4(), uuid.uuid4(), item))
    await handled_by_notification(db, behind)  # one partition: the redelivery was handled before it
    joined = await publish(
        stack,
        h.MemberJoined(
            household_id=household_id,
            actor_id=ben,
            user_id=ben,
            display_name="Ben",
            role="adult",
            joined_at=datetime.now(UTC),
        ),
    )
    await handled_by_notification(db, joined)

    token = create_access_token(
        ann, stack.t.secrets["JWT_SECRET"], datetime.now(UTC), timedelta(minutes=10)
    )
    async with (
        httpx.AsyncClient(base_url=stack.t.app_url("notification"), timeout=30) as notification,
        open_stream(
            notification,
            f"/api/households/{household_id}/notifications/stream",
            bearer=token,
            params={"since": 0},
        ) as anns,
    ):
        replayed = await anns.until(lambda e: e.event == "ready", timeout=PATIENCE_S)
    told = [e.data["text"] for e in replayed if e.event == "notification"]
    assert told == ["Someone claimed a gift"]
