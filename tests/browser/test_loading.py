"""What a page costs to load: a first visit fetches the client as one script (where the gateway can
bundle it); a browser that has seen giftflow asks the server again for the page and the family's
data, never for the client's script; a list reads its gifts in one request, not one per item."""

import os
import re

from playwright.async_api import Page, expect

from services.gateway.web_bundle import find_bundler
from tests.browser.conftest import PATIENCE_S, SMALL_PHONE
from tests.browser.family import api, family_with_a_list, item

# as the test stack's gateway finds esbuild: it inherits this environment
BUNDLED = find_bundler(os.environ.get("WEB_BUNDLER", "")) is not None


class Requests:
    """The page's requests as Chromium's network layer sees them, and which a cache answered."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.cached: set[str] = set()

    async def watch(self, page: Page) -> None:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on(
            "Network.responseReceived",
            lambda e: (
                self.cached.add(e["requestId"]) if e["response"].get("fromDiskCache") else None
            ),
        )

    def _sent(self, event: dict) -> None:
        self.urls.setdefault(event["requestId"], event["request"]["url"])
        self.kinds.setdefault(event["requestId"], event.get("type", ""))

    def count_to_server(self, kind: str | None = None) -> int:
        return sum(
            1
            for rid in self.urls
            if rid not in self.cached and (kind is None or self.kinds[rid] == kind)
        )

    def to_server(self, pattern: str) -> list[str]:
        return [
            url
            for rid, url in self.urls.items()
            if rid not in self.cached and re.search(pattern, url)
        ]

    def from_cache(self, pattern: str) -> list[str]:
        return [
            url for rid, url in self.urls.items() if rid in self.cached and re.search(pattern, url)
        ]


async def test_a_second_visit_fetches_the_page_and_the_data_but_no_module(browser, stack):
    # the HTTP cache alone (no service worker), as on a browser without one
    context = await browser.new_context(
        viewport=SMALL_PHONE, base_url=stack.t.gateway_url, locale="en-GB", service_workers="block"
    )
    context.set_default_timeout(PATIENCE_S * 1000)
    try:
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        first = Requests()
        await first.watch(page)
        await family_with_a_list(page, "Wes")  # the browser's first visit
        await expect(page.get_by_role("heading", name="Coming up")).to_be_visible()
        assert first.to_server(r"/v/[0-9a-f]{12}/js/app\.js")

        await page.goto("about:blank")
        again = Requests()
        await again.watch(page)
        await page.goto("/#/people")
        await expect(page.get_by_role("link", name="Grandpa")).to_be_visible()
        assert again.to_server(r"/v/") == []
        assert again.from_cache(r"/v/[0-9a-f]{12}/js/app\.js")  # the client, from the cache
        assert again.to_server(
            r"/api/households/[^/]+/people"
        )  # the family's data is always asked for
        assert errors == []
    finally:
        await context.close()


async def first_visit(
    browser, stack, household_id: str, cookies: list, path: str, drawn
) -> Requests:
    """A browser that never saw giftflow (signed in by its cookies) opens `path` until it is drawn."""
    context = await browser.new_context(
        viewport=SMALL_PHONE, base_url=stack.t.gateway_url, locale="en-GB"
    )
    context.set_default_timeout(PATIENCE_S * 1000)
    try:
        await context.add_cookies(cookies)
        await context.add_init_script(
            f"try {{ localStorage.setItem('gf.household', '{household_id}'); }} catch {{}}"
        )
        page = await context.new_page()
        seen = Requests()
        await seen.watch(page)
        await page.goto(path)
        await drawn(page)
        await expect(page.locator("#main:not([aria-busy])")).to_be_attached()
        return seen
    finally:
        await context.close()


async def test_a_first_visit_fetches_the_client_as_one_script(browser, stack, new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Yara")
    for n in range(10):
        await api(
            page,
            "POST",
            f"{family['hh']}/lists/{family['list']['id']}/items",
            {"gift": {"title": f"Wish {n + 1}"}},
        )
    cookies = await page.context.cookies()
    hid = family["household"]["id"]

    async def dashboard(p):
        await expect(p.get_by_role("heading", name="Coming up")).to_be_visible()

    async def list_of_ten(p):
        await expect(p.locator("li.item")).to_have_count(10)

    home = await first_visit(browser, stack, hid, cookies, "/#/", dashboard)
    wishes = await first_visit(
        browser, stack, hid, cookies, f"/#/lists/{family['list']['id']}", list_of_ten
    )
    for name, seen in (("dashboard", home), ("list of ten", wishes)):
        # the figures `make bench` reports as web_*_requests, for a reader of the test's output
        print(
            f"cold {name}: {seen.count_to_server()} requests, {seen.count_to_server('Script')} "
            f"scripts ({'bundled' if BUNDLED else 'one per module'})"
        )
        scripts = seen.count_to_server("Script")
        assert scripts == 1 if BUNDLED else scripts > 10, (name, scripts)
    assert page.js_errors == []


async def test_a_list_of_ten_reads_its_gifts_in_one_request_not_one_per_item(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Xavi")
    for n in range(10):
        await api(
            page,
            "POST",
            f"{family['hh']}/lists/{family['list']['id']}/items",
            {"gift": {"title": f"Wish {n + 1}", "price": f"{n + 5}.00", "currency": "EUR"}},
        )
    gifts = []
    page.on("request", lambda r: gifts.append(r.url) if "/gifts" in r.url else None)
    await page.goto(f"/#/lists/{family['list']['id']}")
    await expect(page.locator("li.item")).to_have_count(10)
    await expect(item(page, "Wish 10")).to_contain_text(
        "€14.00"
    )  # its price came with the one read
    # each time the list is drawn (again when a live change arrives): one read for all its gifts
    assert gifts and all(f"/gifts?person_id={family['person']['id']}" in url for url in gifts)
    assert page.js_errors == []
