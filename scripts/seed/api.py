"""The gateway's REST API as the seed uses it: one signed-in member per call, errors said plainly."""

from dataclasses import dataclass
from typing import Any

import httpx


class SeedError(Exception):
    """The gateway refused something the seed needs; the message says what and why."""


@dataclass(frozen=True)
class Login:
    key: str
    name: str
    email: str
    password: str
    user_id: str
    access_token: str


class Gateway:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._paths: dict[str, set[str]] | None = None

    async def call(
        self,
        method: str,
        path: str,
        who: Login | None = None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> Any:
        headers = {"Authorization": f"Bearer {who.access_token}"} if who else {}
        response = await self.client.request(method, f"/api{path}", json=body, headers=headers)
        self.client.cookies.clear()  # who calls is said by the header alone
        if response.status_code not in ok:
            raise SeedError(
                f"{method} /api{path} answered {response.status_code}: {_message(response)}"
            )
        return response.json() if response.content else None

    async def offers(self, method: str, path: str) -> bool:
        """Whether this gateway has the endpoint (optional parts of the seed are skipped otherwise)."""
        if self._paths is None:
            spec = (await self.client.get("/openapi.json")).json()
            self._paths = {p: {m.upper() for m in ops} for p, ops in spec.get("paths", {}).items()}
        return method.upper() in self._paths.get(f"/api{path}", set())

    async def sign_up_or_log_in(self, key: str, name: str, email: str, password: str) -> Login:
        response = await self.client.post(
            "/api/auth/signup", json={"email": email, "password": password, "display_name": name}
        )
        if response.status_code == 409:  # seeded before: the same person logs in again
            response = await self.client.post(
                "/api/auth/login", json={"email": email, "password": password}
            )
        self.client.cookies.clear()
        if response.status_code not in (200, 201):
            raise SeedError(
                f"Could not sign in {email} ({response.status_code}: {_message(response)}); "
                "if that account was made by hand, run the seed with --fresh."
            )
        body = response.json()
        return Login(key, name, email, password, body["user"]["id"], body["access_token"])


def _message(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
        return f"{error['message']} {error.get('details') or ''}".strip()
    except (ValueError, KeyError, TypeError):
        return response.text[:300]
