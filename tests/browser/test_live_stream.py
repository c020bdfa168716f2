"""The live stream outlives its server going away and an expired sign-in: the page reconnects by
itself and still follows what changes."""

import asyncio

from playwright.async_api import expect

from tests.browser.family import api, family_with_a_list, item


async def test_after_the_stream_drops_with_the_sign_in_expired_the_page_reconnects_and_stays_live(
    new_phone, stack
):
    page = await new_phone()
    family = await family_with_a_list(page, "Olli")
    kite = await api(
        page,
        "POST",
        f"{family['hh']}/lists/{family['list']['id']}/items",
        {"gift": {"title": "Box kite"}},
    )
    await page.goto(f"/#/lists/{family['list']['id']}")
    live = page.locator("#live-state")
    await expect(live).to_have_attribute("data-state", "live")

    await page.context.clear_cookies(
        name="gf_access"
    )  # its 15 minutes are up while the page is open
    await asyncio.to_thread(stack.stop, "app-notification")  # the stream ends under the page
    await expect(live).not_to_have_attribute("data-state", "live")
    await asyncio.to_thread(stack.start_app, "notification")
    await asyncio.to_thread(stack.wait_ready, "notification")
    # the reconnect is refused (no access token), so the page signs in again with its refresh token
    await expect(live).to_have_attribute("data-state", "live")

    await api(page, "POST", f"{family['hh']}/items/{kite['id']}/claims", {"quantity": 1})
    await expect(item(page, "Box kite").get_by_test_id("claim-state")).to_have_text(
        "Claimed 1 of 1 by you"
    )
    assert page.js_errors == []
