"""Subscribing from a calendar app: a member makes a private address on the occasions page, a calendar
app (a plain request with no cookies) reads the family's occasions and the member's task from it, and
once revoked the address answers nothing."""

from datetime import datetime, timedelta

from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.family import api, family_with_a_list
from tests.browser.test_accessibility import AXE, small_targets, violations


async def test_a_member_subscribes_their_calendar_and_revokes_it(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Kofi")
    await api(
        page,
        "POST",
        f"{family['hh']}/occasions",
        {
            "name": "Grandpa's birthday",
            "date": "1950-03-14",
            "kind": "birthday",
            "recurs_yearly": True,
        },
    )
    due = (datetime.now().astimezone() + timedelta(days=3)).replace(microsecond=0).isoformat()
    me = await api(page, "GET", "/me")
    await api(
        page,
        "POST",
        f"{family['hh']}/tasks",
        {"title": "Order the cake", "due_at": due, "assignee_id": me["id"], "reminders": ["P1D"]},
    )

    await page.goto("/#/occasions")
    await page.get_by_text("In your calendar").click()
    await page.get_by_label("Where you will use it").fill("Kofi's phone")
    await page.get_by_role("button", name="Make an address").click()
    address = page.locator("code.feed-url")
    await expect(address).to_contain_text("/api/calendar/")
    url = await address.inner_text()
    await expect(page.get_by_role("link", name="Open in my calendar app")).to_have_attribute(
        "href", url.replace("http:", "webcal:", 1)
    )
    await expect(page.get_by_role("list", name="Calendar subscriptions")).to_contain_text(
        "Kofi's phone"
    )
    await screenshot(page, "calendar-subscription")
    if AXE.exists():
        assert await violations(page) + await small_targets(page) == []

    # a calendar app: a browser of its own, signed in to nothing, with only the address
    app = (await new_phone()).context.request
    feed = await app.get(url)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    body = await feed.text()
    assert "SUMMARY:Grandpa's birthday" in body and "SUMMARY:Order the cake" in body

    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Revoke Kofi's phone").click()
    await expect(page.get_by_role("list", name="Calendar subscriptions")).not_to_contain_text(
        "Kofi's phone"
    )
    assert (await app.get(url)).status == 404
    assert page.js_errors == []
