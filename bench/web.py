"""The web client in Chromium: how many requests a page costs and how long it takes to draw, cold (a
browser that never saw giftflow) and warm (the same browser again: its HTTP cache and service worker).

As the seeded family's admin (`scripts/seed`): the dashboard, and a list of 10 items. A page counts as
drawn when its content is on screen (the dashboard's occasions, the list's ten items), measured from the
start of the navigation in the page's own clock. Requests are counted as Chromium's network layer sees
them; those answered by the browser's cache or the service worker are counted apart, as they cost no
round trip. Each figure is the median of ROUNDS loads. Needs Debian's chromium, as the browser tests do.
"""

import os
import statistics

import httpx
from playwright.async_api import Page, async_playwright

from bench.common import load_average, write_result
from scripts.seed import emails, family, seed
from scripts.stack.processes import Stack

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROUNDS = 5
PHONE = {"width": 390, "height": 844}
# what "drawn" means on each page: its content is in the DOM and the page is no longer busy
DRAWN = {
    "dashboard": "document.querySelectorAll('[aria-label=\"Coming up\"] > li').length > 0",
    "list10": "document.querySelectorAll('li.item').length === 10",
}


async def a_list_of_ten(client: httpx.AsyncClient, headers: dict, household_id: str) -> str:
    hh = f"/api/households/{household_id}"
    people = (await client.get(f"{hh}/people?limit=1", headers=headers)).json()["items"]
    made = (
        await client.post(
            f"{hh}/lists",
            headers=headers,
            json={"name": "Ten wishes (bench)", "person_id": people[0]["id"]},
        )
    ).json()
    for n in range(10):
        await client.post(
            f"{hh}/lists/{made['id']}/items",
            headers=headers,
            json={"gift": {"title": f"Wish {n + 1}", "price": f"{10 + n}.00", "currency": "GBP"}},
        )
    return made["id"]


async def load(page: Page, url: str, drawn: str) -> tuple[float, int, int]:
    """(ms to draw, requests that went to the server, requests answered by a cache or the service worker)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    sent, cached = set(), set()
    cdp.on("Network.requestWillBeSent", lambda e: sent.add(e["requestId"]))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on(
        "Network.responseReceived",
        lambda e: (
            cached.add(e["requestId"])
            if (
                e["response"].get("fromDiskCache")
                or e["response"].get("fromServiceWorker")
                or e["response"].get("fromPrefetchCache")
            )
            else None
        ),
    )
    await page.goto(url)
    handle = await page.wait_for_function(
        f"() => ({drawn}) && !document.getElementById('main').hasAttribute('aria-busy') && performance.now()",
        polling="raf",
        timeout=120_000,
    )
    ms = await handle.json_value()
    await cdp.detach()
    return ms, len(sent - cached), len(sent & cached)


async def web_draw(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=60) as client:
        seeded = await seed(client)
        email = emails()["maya"]
        token = (
            await client.post("/api/auth/login", json={"email": email, "password": family.PASSWORD})
        ).json()
        list_id = await a_list_of_ten(
            client, {"Authorization": f"Bearer {token['access_token']}"}, seeded.household_id
        )
    pages = {"dashboard": "/#/", "list10": f"/#/lists/{list_id}"}
    figures: dict[str, dict[str, list]] = {"cold": {}, "warm": {}}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _ in range(ROUNDS):
            for name, path in pages.items():
                context = await browser.new_context(viewport=PHONE, base_url=stack.t.gateway_url)
                await context.request.post(
                    "/api/auth/login", data={"email": email, "password": family.PASSWORD}
                )
                await context.add_init_script(  # about:blank has no storage: only giftflow's pages
                    f"try {{ localStorage.setItem('gf.household', '{seeded.household_id}'); }} catch {{}}"
                )
                page = await context.new_page()
                for kind in ("cold", "warm"):
                    if (
                        kind == "warm"
                    ):  # the service worker has taken over, and the HTTP cache is filled
                        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
                        await page.goto("about:blank")
                    figures[kind].setdefault(name, []).append(await load(page, path, DRAWN[name]))
                await context.close()
        await browser.close()
    for kind, by_page in figures.items():
        metrics = {}
        for name, runs in by_page.items():
            metrics[f"web_{name}_draw_ms"] = statistics.median(r[0] for r in runs)
            metrics[f"web_{name}_requests"] = statistics.median(r[1] for r in runs)
            metrics[f"web_{name}_requests_from_cache"] = statistics.median(r[2] for r in runs)
        write_result(
            f"web_{kind}",
            metrics,
            notes=f"median of {ROUNDS} loads on a 390x844 screen, "
            f"{'an empty browser' if kind == 'cold' else 'the same browser again'}; load {load_average()}",
        )
