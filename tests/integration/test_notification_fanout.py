"""The notification service against a real Postgres: real CloudEvents through its consumer become
notifications and stream messages for the right members, and its REST API serves them."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.notification.config import Settings
from services.notification.handlers import HANDLERS
from services.notification.main import create_app
from services.notification.models import processed_event
from services.notification.retention import prune
from shared.consumer import BulkConsumer
from shared.events import Event
from shared.events import gifting as g
from shared.events import household as h
from shared.outbox import to_cloudevent
from shared.tokens import create_access_token

SECRET = "integration-test-secret-long-enough-for-hs256"


def cloudevent(event: Event) -> dict:
    return to_cloudevent(event, uuid.uuid4(), datetime.now(UTC))


def token_for(user_id: uuid.UUID) -> str:
    return create_access_token(user_id, SECRET, datetime.now(UTC), timedelta(hours=1))


def bearer(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user_id)}"}


@dataclass
class Family:
    """A household the notification service has heard of: Ann (admin), Ben and Dad (adults), Cleo (child)."""

    consumer: BulkConsumer
    household_id: uuid.UUID
    ann: uuid.UUID
    ben: uuid.UUID
    cleo: uuid.UUID
    dad: uuid.UUID

    async def deliver(self, *events: Event) -> list[dict]:
        ces = [cloudevent(e) for e in events]
        answer = await self.consumer.handle_bulk(
            {"entries": [{"entryId": str(i), "event": ce} for i, ce in enumerate(ces)]}
        )
        assert {s["status"] for s in answer["statuses"]} == {"SUCCESS"}, answer
        return ces

    def claim(
        self,
        actor: uuid.UUID,
        hidden_from=(),
        list_id: uuid.UUID | None = None,
        gift_id: uuid.UUID | None = None,
    ) -> g.ClaimAdded:
        return g.ClaimAdded(
            household_id=self.household_id,
            actor_id=actor,
            hidden_from=tuple(hidden_from),
            claim_id=uuid.uuid4(),
            list_item_id=uuid.uuid4(),
            list_id=list_id or uuid.uuid4(),
            gift_id=gift_id or uuid.uuid4(),
            user_id=actor,
            quantity=1,
            claimed_quantity=1,
            wanted_quantity=1,
        )

    def gift(self, actor: uuid.UUID, title: str, hidden_from=()) -> g.GiftCreated:
        return g.GiftCreated(
            household_id=self.household_id,
            actor_id=actor,
            gift_id=uuid.uuid4(),
            title=title,
            hidden_from=tuple(hidden_from),
        )


async def new_family(sessions) -> Family:
    consumer = BulkConsumer("notification", sessions, processed_event, HANDLERS)
    household_id, ann, ben, cleo, dad = (uuid.uuid4() for _ in range(5))
    family = Family(consumer, household_id, ann, ben, cleo, dad)
    now = datetime.now(UTC)
    await family.deliver(
        h.HouseholdCreated(
            household_id=household_id,
            actor_id=ann,
            name="Smiths",
            created_at=now,
            creator_display_name="Ann",
        ),
        *(
            h.MemberJoined(
                household_id=household_id,
                actor_id=user,
                user_id=user,
                display_name=name,
                role=role,
                joined_at=now,
            )
            for user, name, role in (
                (ben, "Ben", "adult"),
                (cleo, "Cleo", "child"),
                (dad, "Dad", "adult"),
            )
        ),
    )
    return family


@pytest.fixture
async def family(sessions_for) -> Family:
    return await new_family(sessions_for("notification"))


@pytest.fixture
async def api(service_url):
    app = create_app(
        Settings(database_url=service_url("notification"), db_pool_size=5, jwt_secret=SECRET)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://notification.test"
    ) as client:
        yield client
    await app.state.engine.dispose()


async def notifications_of(admin_db, family: Family, user: uuid.UUID) -> list[str]:
    rows = await admin_db.fetch(
        "SELECT text FROM notification.notification WHERE household_id = $1 AND user_id = $2 "
        "ORDER BY seq",
        family.household_id,
        user,
    )
    return [r["text"] for r in rows]


async def stream_of(admin_db, family: Family, user: uuid.UUID) -> list[tuple[int, str]]:
    rows = await admin_db.fetch(
        "SELECT seq, event FROM notification.stream_message "
        "WHERE household_id = $1 AND user_id = $2 ORDER BY seq",
        family.household_id,
        user,
    )
    return [(r["seq"], r["event"]) for r in rows]


async def test_a_claim_reaches_everyone_but_the_claimer_and_never_the_recipient(
    family: Family, admin_db
):
    gift = family.gift(family.ann, "Lego castle", hidden_from=[family.cleo])
    await family.deliver(
        gift, family.claim(family.ben, hidden_from=[family.cleo], gift_id=gift.gift_id)
    )

    assert await notifications_of(admin_db, family, family.dad) == [
        "Ann added the gift “Lego castle”",
        "Ben claimed “Lego castle”",
    ]
    assert await notifications_of(admin_db, family, family.ann) == ["Ben claimed “Lego castle”"]
    assert await notifications_of(admin_db, family, family.ben) == [
        "Ann added the gift “Lego castle”"
    ]
    assert await notifications_of(admin_db, family, family.cleo) == []
    cleo_stream = await stream_of(admin_db, family, family.cleo)
    assert all(seq <= 4 for seq, _ in cleo_stream)  # only the membership changes before the gift


async def test_each_members_stream_is_numbered_without_gaps(family: Family, admin_db):
    await family.deliver(*(family.claim(family.ann) for _ in range(3)))
    for user in (family.ann, family.ben, family.cleo, family.dad):
        numbers = [seq for seq, _ in await stream_of(admin_db, family, user)]
        assert numbers == list(range(1, len(numbers) + 1))


async def test_a_redelivered_event_notifies_nobody_twice(family: Family, admin_db):
    [ce] = await family.deliver(family.claim(family.ben))
    await family.consumer.handle_bulk({"entries": [{"entryId": "again", "event": ce}]})
    assert len(await notifications_of(admin_db, family, family.dad)) == 1


async def test_preferences_silence_a_kind_and_a_list_but_not_the_live_changes(
    family: Family, api, admin_db
):
    muted = uuid.uuid4()
    response = await api.put(
        f"/api/households/{family.household_id}/notifications/preferences",
        json={"kinds": {"gift": False}, "muted_list_ids": [str(muted)]},
        headers=bearer(family.dad),
    )
    assert response.status_code == 200, response.text
    assert response.json()["kinds"]["gift"] is False and response.json()["kinds"]["claim"] is True
    before = len(await stream_of(admin_db, family, family.dad))

    await family.deliver(
        family.gift(family.ann, "Scarf"),
        family.claim(family.ann, list_id=muted),
        family.claim(family.ann),
    )

    assert await notifications_of(admin_db, family, family.dad) == ["Ann claimed a gift"]
    assert (
        len(await stream_of(admin_db, family, family.dad)) == before + 3 + 1
    )  # three changes, one notification


async def test_an_unknown_kind_is_refused_with_the_kinds_there_are(family: Family, api):
    response = await api.put(
        f"/api/households/{family.household_id}/notifications/preferences",
        json={"kinds": {"gossip": False}},
        headers=bearer(family.dad),
    )
    assert response.status_code == 422
    assert "gossip" in response.text and "claim" in response.text


async def test_my_notifications_page_newest_first_and_count_unread(family: Family, api):
    await family.deliver(*(family.gift(family.ann, f"Gift {i}") for i in range(5)))
    url = f"/api/households/{family.household_id}/notifications"

    first = (await api.get(url, params={"limit": 3}, headers=bearer(family.ben))).json()
    second = (
        await api.get(
            url, params={"limit": 3, "cursor": first["next_cursor"]}, headers=bearer(family.ben)
        )
    ).json()

    titles = [n["text"] for n in first["items"] + second["items"]]
    assert titles == [f"Ann added the gift “Gift {i}”" for i in reversed(range(5))]
    assert second["next_cursor"] is None
    unread = await api.get(f"{url}/unread-count", headers=bearer(family.ben))
    assert unread.json() == {"unread": 5}


async def test_marking_read_one_then_all(family: Family, api, admin_db):
    await family.deliver(*(family.gift(family.ann, f"Gift {i}") for i in range(3)))
    url = f"/api/households/{family.household_id}/notifications"
    newest = (await api.get(url, headers=bearer(family.ben))).json()["items"][0]

    assert (
        await api.post(f"{url}/{newest['id']}/read", headers=bearer(family.ben))
    ).status_code == 204
    assert (
        await api.post(f"{url}/{newest['id']}/read", headers=bearer(family.ben))
    ).status_code == 204
    assert (await api.get(f"{url}/unread-count", headers=bearer(family.ben))).json() == {
        "unread": 2
    }
    assert (await api.post(f"{url}/read-all", headers=bearer(family.ben))).json() == {"marked": 2}
    assert (await api.get(url, params={"unread_only": True}, headers=bearer(family.ben))).json()[
        "items"
    ] == []
    # the member's other pages hear of it through their stream: once per change, not per repeat
    changes = await admin_db.fetch(
        "SELECT data FROM notification.stream_message WHERE household_id = $1 AND user_id = $2 "
        "AND data->>'entity' = 'notification' ORDER BY seq",
        family.household_id,
        family.ben,
    )
    assert [__import__("json").loads(r["data"])["change"] for r in changes] == ["read", "all_read"]


async def test_nobody_reads_or_marks_another_members_notifications(family: Family, api):
    await family.deliver(family.gift(family.ann, "Socks"))
    url = f"/api/households/{family.household_id}/notifications"
    bens = (await api.get(url, headers=bearer(family.ben))).json()["items"][0]
    response = await api.post(f"{url}/{bens['id']}/read", headers=bearer(family.dad))
    assert response.status_code == 404


async def test_a_member_of_another_household_sees_nothing(family: Family, api, sessions_for):
    other = await new_family(sessions_for("notification"))
    await family.deliver(family.gift(family.ann, "Secret"))
    for path in ("", "/unread-count", "/preferences", "/stream"):
        response = await api.get(
            f"/api/households/{family.household_id}/notifications{path}", headers=bearer(other.ann)
        )
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


async def test_no_token_no_notifications(family: Family, api):
    response = await api.get(f"/api/households/{family.household_id}/notifications")
    assert response.status_code == 401
    forged = create_access_token(
        family.ann,
        "not-the-secret-but-long-enough-for-hs256",
        datetime.now(UTC),
        timedelta(hours=1),
    )
    response = await api.get(
        f"/api/households/{family.household_id}/notifications",
        headers={"Authorization": f"Bearer {forged}"},
    )
    assert response.status_code == 401


async def test_the_login_cookie_is_enough(family: Family, api):
    api.cookies.set("gf_access", token_for(family.ben))
    try:
        response = await api.get(
            f"/api/households/{family.household_id}/notifications/unread-count"
        )
    finally:
        api.cookies.clear()
    assert response.status_code == 200


async def test_a_member_who_leaves_is_forgotten_and_hears_nothing_more(family: Family, admin_db):
    await family.deliver(family.gift(family.ann, "Before"))
    await family.deliver(
        h.MemberRemoved(
            household_id=family.household_id, actor_id=family.dad, user_id=family.dad, role="adult"
        )
    )
    await family.deliver(family.gift(family.ann, "After"))
    assert await notifications_of(admin_db, family, family.dad) == []
    assert await stream_of(admin_db, family, family.dad) == []
    assert "Ann added the gift “After”" in await notifications_of(admin_db, family, family.ben)


async def test_retention_drops_old_stream_messages_sooner_than_notifications(
    family: Family, service_url, admin_db
):
    from shared.db import create_engine

    await family.deliver(family.gift(family.ann, "Old"))
    await admin_db.execute(
        "UPDATE notification.stream_message SET created_at = now() - interval '10 days' "
        "WHERE household_id = $1",
        family.household_id,
    )
    await admin_db.execute(
        "UPDATE notification.notification SET created_at = now() - interval '10 days' "
        "WHERE household_id = $1",
        family.household_id,
    )
    engine = create_engine(service_url("notification"), pool_size=1)
    try:
        await prune(engine, datetime.now(UTC), stream_days=7, notification_days=180, parked_days=7)
    finally:
        await engine.dispose()
    assert await stream_of(admin_db, family, family.ben) == []
    assert await notifications_of(admin_db, family, family.ben) == ["Ann added the gift “Old”"]


async def test_a_member_who_joins_mid_batch_hears_of_what_follows_in_it(family: Family, admin_db):
    newcomer = uuid.uuid4()
    await family.deliver(
        family.gift(family.ann, "Before"),
        h.MemberJoined(
            household_id=family.household_id,
            actor_id=newcomer,
            user_id=newcomer,
            display_name="Eve",
            role="adult",
            joined_at=datetime.now(UTC),
        ),
        family.gift(family.ann, "After"),
    )
    assert await notifications_of(admin_db, family, newcomer) == ["Ann added the gift “After”"]


async def test_an_entry_that_fails_mid_batch_sends_nothing_and_the_rest_is_numbered_without_gaps(
    family, admin_db
):
    from services.notification.handlers import fan_out

    async def sends_then_fails(session, envelope):
        await fan_out(session, envelope)
        raise RuntimeError("a bug after the messages were appended")

    failing = g.GiftDeleted(
        household_id=family.household_id, actor_id=family.ann, gift_id=uuid.uuid4()
    )
    consumer = BulkConsumer(
        "notification",
        family.consumer.sessions,
        processed_event,
        {**HANDLERS, failing.event_type(): sends_then_fails},
    )
    before = await stream_of(admin_db, family, family.ben)
    events = [family.gift(family.ann, "First"), failing, family.gift(family.ann, "Second")]
    answer = await consumer.handle_bulk(
        {"entries": [{"entryId": str(i), "event": cloudevent(e)} for i, e in enumerate(events)]}
    )

    # a fault of ours, not of the database: dead-lettered (and replayable once fixed), not retried
    assert [s["status"] for s in answer["statuses"]] == ["SUCCESS", "DROP", "SUCCESS"]
    after = await stream_of(admin_db, family, family.ben)
    assert [seq for seq, _ in after] == list(
        range(1, len(before) + 5)
    )  # two changes, two notifications
    assert (await notifications_of(admin_db, family, family.ben))[-2:] == [
        "Ann added the gift “First”",
        "Ann added the gift “Second”",
    ]
