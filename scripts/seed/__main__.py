"""`make seed`: load the Okafor family into a running giftflow and print the logins to try it with."""

import argparse
import asyncio
import os
import secrets
import sys

import httpx

from scripts.seed import PIPELINE, Seeded, SeedError, family, seed
from scripts.stack.topology import RUN

DEFAULT_URL = RUN.gateway_url  # where `make run` serves it, GIFTFLOW_PORT_BASE included


def main() -> int:
    parser = argparse.ArgumentParser(prog="make seed", description=__doc__)
    parser.add_argument(
        "--url",
        default=os.environ.get("GIFTFLOW_URL", DEFAULT_URL),
        help=f"the gateway (default: $GIFTFLOW_URL, or the `make run` gateway: {DEFAULT_URL})",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="load another copy of the family, with new logins, beside any earlier one",
    )
    args = parser.parse_args()
    tag = secrets.token_hex(3) if args.fresh else ""
    try:
        seeded = asyncio.run(run(args.url, tag))
    except httpx.TransportError as exc:
        print(
            f"seed: cannot reach the gateway at {args.url} ({exc}); is the stack running (`make run`)?",
            file=sys.stderr,
        )
        return 1
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)
        return 1
    report(seeded)
    return 0


async def run(url: str, tag: str) -> Seeded:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await seed(client, tag)


def report(seeded: Seeded) -> None:
    if seeded.already_there:
        print("The Okafors were already there (run with --fresh for another copy).")
    else:
        print(
            "Loaded the Okafors: "
            + ", ".join(
                f"{n} {what}" for what, n in seeded.counts.items() if not what.startswith("items_")
            )
        )
        print(
            "Items by status: "
            + ", ".join(
                f"{status} {seeded.counts.get(f'items_{status}', 0)}" for status in PIPELINE
            )
        )
        for what in seeded.skipped:
            print(f"Skipped: {what}")
    print(f"\nHousehold {seeded.household_id}. Sign in as any of them:")
    roles = {m.key: m.role for m in family.MEMBERS}
    for login in seeded.logins:
        print(
            f"  {login.name:<15} {roles[login.key]:<6} {login.email:<40} password: {login.password}"
        )


if __name__ == "__main__":
    sys.exit(main())
