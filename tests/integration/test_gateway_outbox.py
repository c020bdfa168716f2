"""A gateway use case writes its rows and its events in one transaction."""

import json
import uuid

from tests.integration.accounts import sign_up


async def test_creating_a_household_stages_its_event_in_the_outbox(gateway_client, admin_db):
    account = await sign_up(gateway_client, name="Ada")
    response = await gateway_client.post(
        "/api/households", json={"name": "Okafor"}, headers=account.headers
    )
    assert response.status_code == 201
    household_id = response.json()["id"]

    row = await admin_db.fetchrow(
        "SELECT * FROM gateway.outbox WHERE partition_key = $1", household_id
    )
    assert row["topic"] == "household"
    assert row["event_type"] == "giftflow.household.created.v1"
    assert row["published_at"] is None
    cloudevent = json.loads(row["cloudevent"])
    assert cloudevent["id"] == str(row["id"])
    assert cloudevent["data"]["name"] == "Okafor"
    assert cloudevent["data"]["actor_id"] == account.user_id


async def test_a_use_case_that_fails_after_its_insert_leaves_neither_row_nor_event(
    gateway_client, admin_db, monkeypatch
):
    from services.gateway.use_cases import households

    async def outbox_unavailable(*args, **kwargs):
        raise RuntimeError("outbox write failed")

    account = await sign_up(gateway_client, name="Ada")
    monkeypatch.setattr(households, "add_event", outbox_unavailable)
    name = f"Half-done {uuid.uuid4()}"
    response = await gateway_client.post(
        "/api/households", json={"name": name}, headers=account.headers
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert (
        await admin_db.fetchval("SELECT count(*) FROM gateway.household WHERE name = $1", name) == 0
    )
    assert (
        await admin_db.fetchval(
            "SELECT count(*) FROM gateway.membership WHERE user_id = $1", uuid.UUID(account.user_id)
        )
        == 0
    )
