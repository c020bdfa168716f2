"""The name draw of a gift exchange: 50 givers with 30 exclusions (and last year's 50 pairs to avoid),
drawn by the pure function many times over, each with a new seed, as the gateway draws; then the whole
draw through the API (the exchange's rows, the picks and their 51 events in one transaction), as an
organizer presses "Draw names"."""

import random
import secrets
import time
from datetime import date, timedelta

import httpx

from bench.common import new_household, percentile, write_result
from scripts.stack.processes import Stack
from services.gateway.exchange_draw import draw

GIVERS = 50
EXCLUSIONS = 30
DRAWS = 500
API_DRAWS = 20


def _group(rng: random.Random) -> tuple[list[int], set[tuple[int, int]], set[tuple[int, int]]]:
    people = list(range(GIVERS))
    excluded: set[tuple[int, int]] = set()
    while len(excluded) < EXCLUSIONS:
        giver, receiver = rng.sample(people, 2)
        excluded.add((giver, receiver))
    last_year = draw(people, excluded, set(), rng).picks
    return people, excluded, set(last_year.items())


async def exchange_draw(stack: Stack) -> dict:
    rng = random.Random(11)
    people, excluded, last_year = _group(rng)
    pure = []
    for _ in range(DRAWS):
        t0 = time.perf_counter()
        draw(people, excluded, last_year, random.Random(secrets.randbits(128)))
        pure.append((time.perf_counter() - t0) * 1000)

    through_api = []
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=60) as client:
        headers, hh = await _household(client)
        ids = []
        for n in range(GIVERS):
            made = await client.post(f"{hh}/people", json={"name": f"Cousin {n}"}, headers=headers)
            made.raise_for_status()
            ids.append(made.json()["id"])
        day = (date.today() + timedelta(days=60)).isoformat()
        occasion = await client.post(
            f"{hh}/occasions",
            json={"name": "Christmas", "date": day, "kind": "christmas"},
            headers=headers,
        )
        occasion.raise_for_status()
        exchange = await client.post(
            f"{hh}/exchanges",
            json={
                "occasion_id": occasion.json()["id"],
                "name": "Cousins",
                "deadline": (date.today() + timedelta(days=30)).isoformat(),
                "person_ids": ids,
                "exclusions": [
                    {"giver_person_id": ids[g], "receiver_person_id": ids[r], "both_ways": False}
                    for g, r in sorted(excluded)
                ],
            },
            headers=headers,
        )
        exchange.raise_for_status()
        url = f"{hh}/exchanges/{exchange.json()['id']}/draw"
        for _ in range(API_DRAWS):
            t0 = time.perf_counter()
            (await client.post(url, headers=headers)).raise_for_status()
            through_api.append((time.perf_counter() - t0) * 1000)

    metrics = {
        "givers": GIVERS,
        "exclusions": EXCLUSIONS,
        "draws": DRAWS,
        "exchange_draw_50_ms": percentile(pure, 50),
        "exchange_draw_50_p99_ms": percentile(pure, 99),
        "exchange_draw_50_api_p50_ms": percentile(through_api, 50),
        "exchange_draw_50_api_p99_ms": percentile(through_api, 99),
    }
    write_result(
        "exchange_draw",
        metrics,
        "the pure draw with last year's pairs to avoid (median, p99), then the organizer's redraw "
        "through the API, one at a time",
    )
    return metrics


async def _household(client: httpx.AsyncClient) -> tuple[dict, str]:
    return await new_household(client, "Exchange bench")
