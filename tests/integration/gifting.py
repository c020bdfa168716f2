"""Helpers for tests of the gifting domain, through the gateway's REST API.

hid, ann, ben, cleo = await family(gateway_client)           # admin, adult, child
g = Gifting(gateway_client, hid)
cleo_p = await g.person(ann, "Cleo", linked_to=cleo)
wishes = await g.new_list(ann, cleo_p, kind="wish")
item = await g.add_item(cleo, wishes, "Bike", price="120.00")
"""

from dataclasses import dataclass

import httpx

from tests.integration.accounts import Account


@dataclass
class Gifting:
    client: httpx.AsyncClient
    household_id: str

    def url(self, path: str) -> str:
        return f"/api/households/{self.household_id}{path}"

    async def call(
        self, method: str, who: Account, path: str, expect: int | None = None, **kwargs
    ) -> httpx.Response:
        response = await self.client.request(method, self.url(path), headers=who.headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text}"
            )
        return response

    async def ok(
        self, method: str, who: Account, path: str, expect: int = 200, **kwargs
    ) -> dict | list:
        response = await self.call(method, who, path, expect, **kwargs)
        return response.json() if response.content else {}

    async def person(
        self, who: Account, name: str, linked_to: Account | None = None, **fields
    ) -> str:
        body = {"name": name, "linked_user_id": linked_to.user_id if linked_to else None, **fields}
        return (await self.ok("POST", who, "/people", 201, json=body))["id"]

    async def occasion(
        self,
        who: Account,
        name: str,
        date: str,
        person_ids: list[str],
        kind: str = "birthday",
        recurs_yearly: bool = True,
    ) -> str:
        body = {
            "name": name,
            "date": date,
            "kind": kind,
            "recurs_yearly": recurs_yearly,
            "person_ids": person_ids,
        }
        return (await self.ok("POST", who, "/occasions", 201, json=body))["id"]

    async def new_list(
        self,
        who: Account,
        person_id: str,
        kind: str = "wish",
        name: str | None = None,
        occasion_id: str | None = None,
        visibility: str = "household",
    ) -> str:
        body = {
            "name": name or f"{kind} list",
            "kind": kind,
            "person_id": person_id,
            "occasion_id": occasion_id,
            "visibility": visibility,
        }
        return (await self.ok("POST", who, "/lists", 201, json=body))["id"]

    async def add_item(
        self,
        who: Account,
        list_id: str,
        title: str,
        quantity: int = 1,
        price: str | None = None,
        priority: str | None = None,
        **gift,
    ) -> dict:
        new_gift = {"title": title, **gift}
        if price is not None:
            new_gift |= {"price": price, "currency": "EUR"}
        body = {"gift": new_gift, "quantity": quantity}
        if priority is not None:
            body["priority"] = priority
        return await self.ok("POST", who, f"/lists/{list_id}/items", 201, json=body)

    async def move(self, who: Account, item_id: str, *statuses: str) -> dict:
        item = {}
        for status in statuses:
            item = await self.ok("POST", who, f"/items/{item_id}/status", json={"status": status})
        return item

    async def claim(self, who: Account, item_id: str, quantity: int = 1) -> httpx.Response:
        return await self.call("POST", who, f"/items/{item_id}/claims", json={"quantity": quantity})


async def outbox_events(admin_db, aggregate_id: str) -> list[dict]:
    """The events staged for one aggregate, oldest first, as CloudEvents."""
    import json

    rows = await admin_db.fetch(
        "SELECT cloudevent FROM gateway.outbox WHERE partition_key = $1 ORDER BY seq",
        str(aggregate_id),
    )
    return [
        json.loads(r["cloudevent"]) if isinstance(r["cloudevent"], str) else r["cloudevent"]
        for r in rows
    ]


CLAIM_TYPES = ("giftflow.claim.added.v1", "giftflow.claim.removed.v1")


def claim_sequence_breaks(events: list[dict]) -> list[str]:
    """Where an item's claim events, in the order given, do not follow one from another: each says how
    many units are claimed after it, which must be the one before's count plus (or minus) its own units.
    Empty when the order is the order they were committed in."""
    breaks, claimed, version = [], 0, 0
    for e in (e for e in events if e["type"] in CLAIM_TYPES):
        data = e["data"]
        sign = 1 if e["type"] == CLAIM_TYPES[0] else -1
        if data["claimed_quantity"] != claimed + sign * data["quantity"]:
            breaks.append(
                f"{e['id']}: {claimed} {'+-'[sign < 0]} {data['quantity']} != {data['claimed_quantity']}"
            )
        if e.get("aggregateversion", version + 1) <= version:
            breaks.append(f"{e['id']}: version {e['aggregateversion']} after {version}")
        claimed, version = data["claimed_quantity"], e.get("aggregateversion", version)
    return breaks
