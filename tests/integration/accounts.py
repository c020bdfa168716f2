"""Helpers for tests that need signed-in users and households, through the gateway's REST API.

    ann = await sign_up(gateway_client, name="Ann")
    household_id = await new_household(gateway_client, ann)
    ben = await sign_up(gateway_client, name="Ben")
    await invite_and_join(gateway_client, household_id, admin=ann, joiner=ben, role="child")
    await gateway_client.get(f"/api/households/{household_id}/members", headers=ben.headers)

Requests carry the token in `headers`, never in cookies: tests then act as several users over one client.
"""

import json
import uuid
from dataclasses import dataclass

import httpx

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Account:
    user_id: str
    email: str
    name: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix.lower().replace(' ', '-')}-{uuid.uuid4().hex[:12]}@example.com"


def _account(body: dict, email: str, name: str, password: str) -> Account:
    return Account(
        user_id=body["user"]["id"],
        email=email,
        name=name,
        password=password,
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
    )


async def sign_up(
    client: httpx.AsyncClient,
    *,
    email: str | None = None,
    name: str = "Ann",
    password: str = PASSWORD,
) -> Account:
    email = email or unique_email(name)
    response = await client.post(
        "/api/auth/signup", json={"email": email, "password": password, "display_name": name}
    )
    assert response.status_code == 201, response.text
    client.cookies.clear()  # who a request is from is said by its headers only
    return _account(response.json(), email, name, password)


async def log_in(client: httpx.AsyncClient, account: Account) -> Account:
    response = await client.post(
        "/api/auth/login", json={"email": account.email, "password": account.password}
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return _account(response.json(), account.email, account.name, account.password)


async def new_household(
    client: httpx.AsyncClient, account: Account, name: str = "Smiths", timezone: str = "UTC"
) -> str:
    """A household with `account` as its admin; its id."""
    response = await client.post(
        "/api/households", json={"name": name, "timezone": timezone}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def invite(
    client: httpx.AsyncClient, household_id: str, admin: Account, role: str = "adult"
) -> str:
    """A fresh invitation code to `household_id`, made by `admin`."""
    response = await client.post(
        f"/api/households/{household_id}/invitations", json={"role": role}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return response.json()["code"]


async def join(client: httpx.AsyncClient, account: Account, code: str) -> httpx.Response:
    return await client.post(
        "/api/invitations/accept", json={"code": code}, headers=account.headers
    )


async def invite_and_join(
    client: httpx.AsyncClient,
    household_id: str,
    *,
    admin: Account,
    joiner: Account | None = None,
    role: str = "adult",
    name: str = "Ben",
) -> Account:
    """`joiner` (or a new account called `name`) becomes a member of `household_id` with `role`."""
    joiner = joiner or await sign_up(client, name=name)
    response = await join(client, joiner, await invite(client, household_id, admin, role))
    assert response.status_code == 200, response.text
    return joiner


async def family(
    client: httpx.AsyncClient, name: str = "Smiths"
) -> tuple[str, Account, Account, Account]:
    """A household with an admin, an adult and a child: (household_id, admin, adult, child)."""
    admin = await sign_up(client, name="Ann")
    household_id = await new_household(client, admin, name)
    adult = await invite_and_join(client, household_id, admin=admin, role="adult", name="Ben")
    child = await invite_and_join(client, household_id, admin=admin, role="child", name="Cleo")
    return household_id, admin, adult, child


async def outbox_events(admin_db, aggregate_id: str, event_type: str | None = None) -> list[dict]:
    """The CloudEvents staged for one aggregate, oldest first (optionally of one type, e.g. `member.joined`)."""
    rows = await admin_db.fetch(
        "SELECT cloudevent FROM gateway.outbox WHERE partition_key = $1 ORDER BY seq", aggregate_id
    )
    events = [
        json.loads(r["cloudevent"]) if isinstance(r["cloudevent"], str) else r["cloudevent"]
        for r in rows
    ]
    if event_type:
        events = [e for e in events if e["type"] == f"giftflow.{event_type}.v1"]
    return events
