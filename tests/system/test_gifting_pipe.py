"""A claim made through the gateway's REST API reaches the audit service through Dapr and Kafka,
with whom it must be hidden from."""

import uuid

import httpx

from tests.system.conftest import eventually


async def sign_up(gateway: httpx.AsyncClient, name: str) -> tuple[str, dict]:
    email = f"{name.lower()}-{uuid.uuid4().hex[:12]}@example.com"
    response = await gateway.post(
        "/api/auth/signup",
        json={"email": email, "password": "correct horse battery", "display_name": name},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    gateway.cookies.clear()  # who a request is from is said by its headers only
    return body["user"]["id"], {"Authorization": f"Bearer {body['access_token']}"}


async def post(gateway: httpx.AsyncClient, path: str, headers: dict, body: dict) -> dict:
    response = await gateway.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), f"{path}: {response.text}"
    return response.json()


async def test_a_claim_made_through_rest_arrives_at_the_audit_service(stack, gateway, db):
    ann_id, ann = await sign_up(gateway, "Ann")
    household_id = (await post(gateway, "/api/households", ann, {"name": "Okafor"}))["id"]
    h = f"/api/households/{household_id}"
    grandpa = (await post(gateway, f"{h}/people", ann, {"name": "Grandpa"}))["id"]
    wishes = (
        await post(gateway, f"{h}/lists", ann, {"name": "Grandpa's wishes", "person_id": grandpa})
    )["id"]
    item = await post(
        gateway,
        f"{h}/lists/{wishes}/items",
        ann,
        {"gift": {"title": "Slippers", "price": "25.00", "currency": "EUR"}, "quantity": 1},
    )

    claim = await post(gateway, f"{h}/items/{item['id']}/claims", ann, {"quantity": 1})

    event_id = await db.fetchval(
        "SELECT id FROM gateway.outbox WHERE partition_key = $1 AND event_type = 'giftflow.claim.added.v1'",
        item["id"],
    )
    assert event_id is not None

    async def audited() -> bool:
        return (
            await db.fetchval(
                "SELECT count(*) FROM audit.audit_entry WHERE event_id = $1", event_id
            )
            >= 1
        )

    await eventually(audited, f"claim.added {event_id} in audit.audit_entry")
    entry = await db.fetchrow("SELECT * FROM audit.audit_entry WHERE event_id = $1", event_id)
    assert entry["event_type"] == "giftflow.claim.added.v1"
    assert entry["subject"] == item["id"]
    assert str(entry["household_id"]) == household_id and str(entry["actor_id"]) == ann_id
    data = (
        entry["data"]
        if isinstance(entry["data"], dict)
        else __import__("json").loads(entry["data"])
    )
    assert (
        data["claim_id"] == claim["id"]
        and data["claimed_quantity"] == 1
        and data["wanted_quantity"] == 1
    )
