"""Browser tests: the web client in headless Chromium (the system's own, driven by Playwright) against
the whole local stack, on a phone-sized screen."""

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.system.conftest import PATIENCE_S, stack  # noqa: F401 - the whole system, started once

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright gives every launch a fresh, throw-away profile (its own --user-data-dir)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(
    os.environ.get(
        "GIFTFLOW_SCREENSHOTS", Path(__file__).resolve().parents[2] / ".stack" / "screenshots"
    )
)

# a ceiling for hung pages, never a measure of speed: the machine is shared with other test runs
expect.set_options(timeout=PATIENCE_S * 1000)

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: `make install` installs Debian's chromium package",
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def new_phone(new_screen):
    """Open a new phone-sized browser (its own cookies: one family member each) on the web client."""
    return lambda: new_screen(PHONE)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for the fixtures' teardown to see whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
async def new_screen(browser: Browser, stack, request):  # noqa: F811 - the fixture imported above
    """Open a new browser of the given viewport size (its own cookies) on the web client. When the
    test fails, what each page showed and logged is printed with the failure."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    async def open_phone(viewport: dict = PHONE) -> Page:
        context = await browser.new_context(
            viewport=viewport, base_url=stack.t.gateway_url, locale="en-GB"
        )
        context.set_default_timeout(PATIENCE_S * 1000)
        contexts.append(context)
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors  # every test checks the client threw nothing
        page.console_lines = []  # what it logged and which API calls it made, for a failure
        page.on("console", lambda m: page.console_lines.append(f"{m.type}: {m.text}"))
        page.on(
            "requestfinished",
            lambda r: (
                page.console_lines.append(f"{r.method} {r.url}") if "/api/" in r.url else None
            ),
        )
        pages.append(page)
        return page

    yield open_phone
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for number, page in enumerate(pages, 1):
            await describe(page, f"{request.node.name}-{number}")
    for context in contexts:
        await context.close()


async def describe(page: Page, name: str) -> None:
    """Print what a page shows and what it logged, for a failure to be understood from CI output."""
    try:
        shown = await page.evaluate("document.getElementById('main')?.innerText ?? ''")
    except Exception as error:  # noqa: BLE001 - a closed page says why instead
        shown = f"(could not read the page: {error})"
    print(f"\n--- page {name}: {page.url}\n{shown[:4000]}")
    print(
        f"--- page {name}: console and API calls, last 60\n" + "\n".join(page.console_lines[-60:])
    )
    await screenshot(page, f"failed-{name}")  # one per test and page: a later failure keeps it


def unique_email(name: str) -> str:
    return f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"


async def screenshot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
