"""What a page costs to load: a browser that has seen giftflow asks the server again for the page and the
family's data, never for the client's modules; a list reads its gifts in one request, not one per item."""

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import PATIENCE_S, SMALL_PHONE
from tests.browser.family import api, family_with_a_list, item


class Requests:
    """The page's requests as Chromium's network layer sees them, and which a cache answered."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.cached: set[str] = set()

    async def watch(self, page: Page) -> None:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Network.enable")
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: self.urls.setdefault(e["requestId"], e["request"]["url"]),
        )
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on(
            "Network.responseReceived",
            lambda e: (
                self.cached.add(e["requestId"]) if e["response"].get("fromDiskCache") else None
            ),
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
        assert len(again.from_cache(r"/v/[0-9a-f]{12}/js/")) >= 10  # every module, from the cache
        assert again.to_server(
            r"/api/households/[^/]+/people"
        )  # the family's data is always asked for
        assert errors == []
    finally:
        await context.close()


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
