"""How long the seeded family's admin waits for "Download our data": the household's export as JSON,
through the gateway, as the web client asks for it (`GET /api/households/{id}/export`).

The export is put together from the read use cases, one read per list, item and gift (see
services/gateway/use_cases/household_export.py): the figure says what that costs for a real family's
size (`scripts/seed`). The median of ROUNDS exports, after one that warms the gateway up.
"""

import statistics
import time

import httpx

from bench.common import load_average, write_result
from scripts.seed import emails, family, seed
from scripts.stack.processes import Stack

ROUNDS = 5


async def household_export(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=120) as client:
        seeded = await seed(client)
        token = (
            await client.post(
                "/api/auth/login",
                json={"email": emails()["maya"], "password": family.PASSWORD},
            )
        ).json()["access_token"]
        url = f"/api/households/{seeded.household_id}/export"
        headers = {"Authorization": f"Bearer {token}"}
        (await client.get(url, headers=headers)).raise_for_status()  # warm-up
        load_before = load_average()
        seconds, sizes = [], []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            response = await client.get(url, headers=headers)
            seconds.append(time.perf_counter() - began)
            response.raise_for_status()
            sizes.append(len(response.content))
    write_result(
        "household_export",
        {
            "household_export_seconds": statistics.median(seconds),
            "household_export_kb": statistics.median(sizes) / 1024,
            "load_avg_1m_before": load_before,
        },
        notes=f"median of {ROUNDS} exports of the seeded family as its admin (Maya)",
    )
