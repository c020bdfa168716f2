"""A deployed giftflow, tried end to end from outside: `python -m scripts.smoke --url URL`.

Two new members of a new household, through the public REST API only: Ana signs up and creates the
household, invites Ben, who joins; Ana starts an idea list for Grandma with one gift; Ben says "I'll get
this". Then, through the gateway, the claim must reach the audit consumer (Ana, the admin, reads an
audit entry for it) and the notification consumer (Ana is told that Ben claimed it) — so the run proves
the gateway, its outbox, Kafka, the sidecars and two consumers with their databases work together.
Used against docker-compose (`make compose-test`) and any other deployment; it writes only its own
new household. Exit status 0 when every step held, 1 with what did not.
"""

import argparse
import asyncio
import json
import secrets
import sys
import time
from typing import Any

import httpx

from scripts.seed.api import Gateway, Login, SeedError

PASSWORD = "smoke test: horse battery staple 42"


async def eventually(what: str, check, patience_s: float) -> Any:
    """`check()` until it returns something truthy; its last answer in the error when it never does.
    A consumer answers 404 for a household whose events have not reached it yet: not yet, not never."""
    deadline, last = time.monotonic() + patience_s, None
    while True:
        try:
            found = await check()
            if found:
                return found
            last = found
        except SeedError as exc:
            if " answered 404:" not in str(exc):
                raise
            last = str(exc)
        if time.monotonic() > deadline:
            raise SeedError(f"{what}: not within {patience_s:.0f} s (last seen: {last!r:.600})")
        await asyncio.sleep(0.5)


def mentions(entries: list[dict], *words: str) -> list[dict]:
    return [e for e in entries if all(w.lower() in json.dumps(e).lower() for w in words)]


async def smoke(url: str, patience_s: float = 60.0) -> list[str]:
    steps: list[str] = []
    tag = secrets.token_hex(4)
    async with httpx.AsyncClient(base_url=url, timeout=15) as client:
        api = Gateway(client)
        ana: Login = await api.sign_up_or_log_in("ana", "Ana", f"ana+{tag}@example.com", PASSWORD)
        ben: Login = await api.sign_up_or_log_in("ben", "Ben", f"ben+{tag}@example.com", PASSWORD)
        steps.append("two members signed up")
        home = await api.call("POST", "/households", ana, {"name": f"Smoke {tag}"})
        h = f"/households/{home['id']}"
        invitation = await api.call("POST", f"{h}/invitations", ana, {"role": "adult"})
        await api.call("POST", "/invitations/accept", ben, {"code": invitation["code"]})
        steps.append("Ben joined through an invitation")

        grandma = await api.call("POST", f"{h}/people", ana, {"name": "Grandma"})
        lst = await api.call(
            "POST",
            f"{h}/lists",
            ana,
            {"name": "Ideas for Grandma", "kind": "idea", "person_id": grandma["id"]},
        )
        title = f"Reading lamp {tag}"
        item = await api.call(
            "POST", f"{h}/lists/{lst['id']}/items", ana, {"gift": {"title": title}}
        )
        await api.call("POST", f"{h}/items/{item['id']}/claims", ben, {"quantity": 1})
        steps.append("Ben claimed a gift on Ana's list")

        async def audit_entries() -> list[dict]:
            page = await api.call("GET", f"{h}/audit?limit=100", ana)
            return mentions(page["items"], "claim", item["id"])

        found = await eventually("the claim in the audit log", audit_entries, patience_s)
        steps.append(f"the audit log holds the claim ({len(found)} entry)")

        async def notifications() -> list[dict]:
            page = await api.call("GET", f"{h}/notifications?limit=100", ana)
            return mentions(page["items"], "Ben", title)

        found = await eventually("Ana's notification of the claim", notifications, patience_s)
        steps.append(f"Ana was told of Ben's claim: {found[0].get('text') or found[0]}")
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway's address")
    parser.add_argument("--patience", type=float, default=60.0, help="seconds to wait for events")
    args = parser.parse_args()
    try:
        for step in asyncio.run(smoke(args.url, args.patience)):
            print(f"  ok  {step}")
    except (SeedError, httpx.HTTPError) as exc:
        print(f"smoke test failed: {exc}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
