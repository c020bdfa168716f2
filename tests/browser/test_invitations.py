"""An admin sends an invitation the way they send anything from their phone: the share sheet where
there is one, else the link copied, ready to paste into a message; or by mail, from the Family page,
where the open invitations are listed and can be revoked."""

import re
import uuid

import httpx
from playwright.async_api import expect

from tests.browser.conftest import SMALL_PHONE
from tests.browser.family import family_with_a_list
from tests.browser.test_mail import mail_to


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


async def test_an_admin_invites_by_mail_sees_the_invitation_open_and_revokes_it(new_phone, stack):
    page = await new_phone()
    await family_with_a_list(page, "Vera")
    await page.goto("/#/family")
    invitee = f"nora-{uuid.uuid4().hex[:8]}@example.com"
    await page.get_by_label("Their email (optional)").fill(invitee)
    await page.get_by_role("button", name="Create invitation code").click()
    await expect(page.locator("#toast")).to_contain_text(f"Invitation mailed to {invitee}")
    code = (await page.get_by_test_id("invitation-code").text_content()).strip()
    invitations = page.get_by_role("list", name="Open invitations")
    await expect(invitations.get_by_text(invitee)).to_be_visible()

    mail = await mail_to(stack, invitee)
    assert mail.link("join").split("code=", 1)[1] == code

    await invitations.get_by_role("button", name=f"Revoke the invitation to {invitee}").click()
    await expect(page.locator("#toast")).to_contain_text("can no longer join")
    await expect(invitations.get_by_text(invitee)).to_have_count(0)
    async with httpx.AsyncClient(base_url=stack.t.gateway_url) as someone:
        preview = await someone.post("/api/invitations/preview", json={"code": code})
    assert preview.status_code == 404, preview.text  # the mailed link no longer works
    assert page.js_errors == []
