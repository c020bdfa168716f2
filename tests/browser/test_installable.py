"""giftflow installs like an app: a manifest with icons, and a service worker that opens the shell without
a connection (saying it cannot reach giftflow) but never answers the API: a family's data is fresh or absent."""

import re
from pathlib import Path

from playwright.async_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, SMALL_PHONE
from tests.browser.family import family_with_a_list

WEB = Path(__file__).resolve().parents[2] / "web"


def test_the_service_worker_keeps_every_file_of_the_client():
    shell = set(
        re.findall(
            r'"(/[^"]*)"',
            (WEB / "sw.js").read_text().split("const SHELL = [", 1)[1].split("];", 1)[0],
        )
    )
    files = {f"/{p.relative_to(WEB)}" for p in WEB.rglob("*") if p.is_file()} - {
        "/sw.js",
        "/index.html",
    }
    assert shell == files | {"/"}


async def test_chromium_finds_the_client_installable(browser, stack, tmp_path):
    # a browser with a profile of its own: nothing installs from a private (incognito-like) window
    chromium = browser.browser_type
    context = await chromium.launch_persistent_context(
        tmp_path,
        executable_path=CHROMIUM,
        args=CHROMIUM_FLAGS,
        base_url=stack.t.gateway_url,
        viewport=SMALL_PHONE,
    )
    try:
        page = context.pages[0] if context.pages else await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto("/")
        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        cdp = await context.new_cdp_session(page)
        manifest = await cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
        assert (await cdp.send("Page.getInstallabilityErrors"))["installabilityErrors"] == []
        assert errors == []
    finally:
        await context.close()


async def test_offline_the_shell_opens_and_says_so_and_no_family_data_was_kept(new_screen):
    page = await new_screen(SMALL_PHONE)
    await family_with_a_list(page, "Sam")
    await page.goto("/#/people")
    await expect(page.get_by_role("link", name="Grandpa")).to_be_visible()
    await page.wait_for_function("navigator.serviceWorker.controller !== null")

    await page.context.set_offline(True)
    try:
        opened = await page.reload()
        assert opened.from_service_worker  # without it, an offline reload has nothing to show
        await expect(page.get_by_role("alert")).to_contain_text("Cannot reach giftflow")
    finally:
        await page.context.set_offline(False)

    kept = await page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    assert "/" in kept and any(url.endswith("/js/app.js") for url in kept)
    assert [url for url in kept if url.startswith("/api/")] == []
    assert page.js_errors == []
