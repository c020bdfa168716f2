"""The gift history's events through the whole stack: a received gift recorded through the API, and
the wrap-up's events staged in the gateway's outbox as its loop writes them, through Kafka to the
notification service and the audit log. A received gift is news to the grown-ups but not to whoever
recorded it; an occasion's wrap-up never reaches the people whose gifts it counts, not even a member
linked to one of them afterwards; a reveal reaches its recipient alone."""

import json
import uuid
from datetime import UTC, date, datetime

import asyncpg
import httpx

from shared.events import Event
from shared.events import history as hi
from shared.outbox import to_cloudevent
from tests.integration.accounts import Account, family, invite_and_join
from tests.integration.gifting import Gifting
from tests.system.conftest import eventually, outbox_ids_for
from tests.system.test_notifications import known_to_notifications

RECEIVED = "Ben recorded a gift Cleo received from Aunt Ruth: “Wool scarf”"
WRAPPED_UP = "Christmas 2025 is over: 2 gifts are in the history"
REVEALED = "Your gifts from Christmas 2025 are in your history"


async def publish(db: asyncpg.Connection, event: Event) -> uuid.UUID:
    """Stage the event in the gateway's outbox as a use case does; the relay publishes it."""
    event_id = uuid.uuid4()
    await db.execute(
        "INSERT INTO gateway.outbox (id, topic, partition_key, event_type, cloudevent) "
        "VALUES ($1, $2, $3, $4, $5::jsonb)",
        event_id,
        event.topic,
        str(event.aggregate_id()),
        event.event_type(),
        json.dumps(to_cloudevent(event, event_id, datetime.now(UTC))),
    )
    return event_id


async def handled(db: asyncpg.Connection, event_id: uuid.UUID) -> None:
    """Handled by the notification service and the audit log, so what they did not do they never will."""

    async def by_both() -> bool:
        counts = [
            await db.fetchval(
                f"SELECT count(*) FROM {consumer}.processed_event WHERE event_id = $1", event_id
            )
            for consumer in ("notification", "audit")
        ]
        return all(counts)

    await eventually(by_both, f"event {event_id} handled by notification and audit")


async def published(db: asyncpg.Connection, event: Event) -> None:
    await handled(db, await publish(db, event))


async def notices(gateway: httpx.AsyncClient, household_id: str, who: Account) -> list[str]:
    """The member's notifications of the history, newest first."""
    response = await gateway.get(
        f"/api/households/{household_id}/notifications",
        params={"limit": 200},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text
    return [n["text"] for n in response.json()["items"] if n["kind"] == "history"]


async def changes(db: asyncpg.Connection, household_id: str, who: Account) -> list[tuple]:
    rows = await db.fetch(
        "SELECT data FROM notification.stream_message WHERE household_id = $1 AND user_id = $2 "
        "AND event = 'entity_changed' ORDER BY seq",
        uuid.UUID(household_id),
        uuid.UUID(who.user_id),
    )
    return [(d["entity"], d["change"]) for d in (json.loads(r["data"]) for r in rows)]


async def audit_types(gateway: httpx.AsyncClient, household_id: str, admin: Account) -> list[str]:
    response = await gateway.get(
        f"/api/households/{household_id}/audit",
        params={"limit": 200, "type": ["gift_record", "occasion"]},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    return [e["type"] for e in response.json()["items"]]


async def test_history_news_reaches_whom_it_is_for_and_nobody_else(stack, gateway, db):
    household_id, ann, ben, cleo = await family(gateway)
    dan = await invite_and_join(gateway, household_id, admin=ann, role="adult", name="Dan")
    await known_to_notifications(gateway, household_id, ann, ben, cleo, dan)
    g = Gifting(gateway, household_id)
    cleo_person = await g.person(ann, "Cleo", linked_to=cleo)
    grandpa = await g.person(ann, "Grandpa")  # nobody is Grandpa yet
    christmas = await g.occasion(
        ann, "Christmas", "2025-12-25", [cleo_person, grandpa], kind="christmas"
    )
    # what the notices name must be known first: the people's events are on another topic
    for aggregate in (cleo_person, grandpa):
        for event_id in await outbox_ids_for(db, aggregate):
            await handled(db, event_id)
    house = uuid.UUID(household_id)
    cleo_id, grandpa_id, christmas_id = map(uuid.UUID, (cleo_person, grandpa, christmas))

    # Ben records a scarf Cleo was given, through the API: Ann and Dan hear of it, Ben (who did it)
    # and Cleo do not
    record = await g.ok(
        "POST",
        ben,
        "/history",
        201,
        json={
            "recipient_person_id": cleo_person,
            "giver_name": "Aunt Ruth",
            "title": "Wool scarf",
            "received_on": "2025-12-26",
        },
    )
    [recorded] = await outbox_ids_for(db, record["id"])
    await handled(db, recorded)
    # Christmas is over, its gifts for Cleo and Grandpa in the history, kept from both of them
    await published(
        db,
        hi.OccasionWrappedUp(
            household_id=house,
            occasion_id=christmas_id,
            name="Christmas",
            occurs_on=date(2025, 12, 25),
            gifts=2,
            person_ids=(cleo_id, grandpa_id),
            hidden_persons=(cleo_id, grandpa_id),
            hidden_from=(uuid.UUID(cleo.user_id),),
        ),
    )
    # and the day comes when Cleo may see hers
    await published(
        db,
        hi.GiftsRevealed(
            household_id=house,
            occasion_id=christmas_id,
            name="Christmas",
            occurs_on=date(2025, 12, 25),
            person_id=cleo_id,
            gifts=2,
            only_for=(uuid.UUID(cleo.user_id),),
        ),
    )

    assert await notices(gateway, household_id, ann) == [WRAPPED_UP, RECEIVED]
    assert await notices(gateway, household_id, dan) == [WRAPPED_UP, RECEIVED]
    assert await notices(gateway, household_id, ben) == [WRAPPED_UP]
    assert await notices(gateway, household_id, cleo) == [REVEALED]
    # open pages refresh: the record's change reaches everyone, the wrap-up not Cleo, the reveal only her
    assert ("history", "recorded") in await changes(db, household_id, ben)
    assert ("history", "wrapped_up") in await changes(db, household_id, dan)
    assert ("history", "wrapped_up") not in await changes(db, household_id, cleo)
    assert ("history", "gifts_revealed") in await changes(db, household_id, cleo)
    assert ("history", "gifts_revealed") not in await changes(db, household_id, ann)
    # the wrap-up waits in the grown-ups' daily digest (the kind's default)
    held = await db.fetch(
        "SELECT user_id, text FROM notification.mail_digest_entry WHERE household_id = $1",
        house,
    )
    assert {(str(r["user_id"]), r["text"]) for r in held if r["text"] == WRAPPED_UP} == {
        (ann.user_id, WRAPPED_UP),
        (ben.user_id, WRAPPED_UP),
        (dan.user_id, WRAPPED_UP),
    }

    # Dan turns out to be Grandpa, and an admin: the wrap-up counted his gifts, so it is gone for him
    await g.ok("PATCH", ann, f"/people/{grandpa}", json={"linked_user_id": dan.user_id})
    promoted = await gateway.patch(
        f"/api/households/{household_id}/members/{dan.user_id}",
        json={"role": "admin"},
        headers=ann.headers,
    )
    assert promoted.status_code == 200, promoted.text

    async def forgotten_for_dan() -> bool:
        return WRAPPED_UP not in await notices(gateway, household_id, dan)

    await eventually(forgotten_for_dan, "Dan's notification of the wrap-up going away")
    assert await notices(gateway, household_id, dan) == [RECEIVED]
    assert ("history", "wrapped_up") not in await changes(db, household_id, dan)
    digest = await db.fetch(
        "SELECT text FROM notification.mail_digest_entry WHERE household_id = $1 AND user_id = $2",
        house,
        uuid.UUID(dan.user_id),
    )
    assert WRAPPED_UP not in [r["text"] for r in digest]

    async def dan_reads_the_audit_log() -> bool:
        response = await gateway.get(f"/api/households/{household_id}/audit", headers=dan.headers)
        return response.status_code == 200

    await eventually(dan_reads_the_audit_log, "Dan, now an admin, reading the audit log")
    # the audit log: Ann sees the record and the wrap-up but not Cleo's reveal; Dan not the wrap-up
    assert sorted(await audit_types(gateway, household_id, ann)) == [
        hi.GiftRecorded.event_type(),
        "giftflow.occasion.created.v1",
        hi.OccasionWrappedUp.event_type(),
    ]
    assert sorted(await audit_types(gateway, household_id, dan)) == [
        hi.GiftRecorded.event_type(),
        "giftflow.occasion.created.v1",
    ]
