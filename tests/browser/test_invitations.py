"""An admin sends an invitation the way they send anything from their phone: the share sheet where
there is one, else the link copied, ready to paste into a message."""

import re

from playwright.async_api import expect

from tests.browser.conftest import SMALL_PHONE
from tests.browser.family import family_with_a_list


async def test_without_a_share_sheet_the_invitation_link_is_copied(new_screen):
    page = await new_screen(SMALL_PHONE)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await family_with_a_list(page, "Quin")
    await page.goto("/#/family")
    await page.get_by_role("button", name="Create invitation code").click()
    link = page.get_by_role("link", name=re.compile(r"join\?code="))
    await expect(link).to_be_visible()
    await page.get_by_role("button", name="Copy the link").click()
    await expect(page.locator("#toast")).to_contain_text("Link copied")
    assert await page.evaluate("navigator.clipboard.readText()") == await link.text_content()
    assert page.js_errors == []


async def test_with_a_share_sheet_the_invitation_is_shared_naming_the_household(new_screen):
    page = await new_screen(SMALL_PHONE)
    # the share sheet a phone would open, as the page calls it
    await page.add_init_script("navigator.share = async (data) => { window.shared = data; };")
    family = await family_with_a_list(page, "Rosa")
    await page.goto("/#/family")
    await page.get_by_role("button", name="Create invitation code").click()
    code = (await page.get_by_test_id("invitation-code").text_content()).strip()
    await page.get_by_role("button", name="Share the invitation").click()
    shared = await page.wait_for_function("window.shared")
    shared = await shared.json_value()
    assert shared["url"].endswith(f"/#/join?code={code}")
    assert family["household"]["name"] in shared["title"]
    assert page.js_errors == []
