"""Mail from the family's side: a forgotten password is set anew through the link a real mail carries,
and a member chooses which kinds of notification also come by mail."""

import asyncio
import time

from playwright.async_api import expect

from tests.browser.family import family_with_a_list, sign_up
from tests.mailbox import Caught, caught
from tests.system.conftest import PATIENCE_S

NEW_PASSWORD = "seven lanterns over the quiet harbour"


async def mail_to(stack, address: str) -> Caught:
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        found = caught(stack, address)
        if found:
            return found[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"no mail to {address} within {PATIENCE_S}s")


async def test_a_forgotten_password_is_set_anew_from_the_mailed_link(new_phone, stack):
    page = await new_phone()
    email = await sign_up(page, "Rosa")
    await page.context.clear_cookies()

    await page.goto("/#/login")
    await page.get_by_role("link", name="Forgot password?").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Send me a link").click()
    await expect(
        page.get_by_role("status").filter(has_text="If an account uses this address")
    ).to_be_visible()

    link = (await mail_to(stack, email)).link("reset-password")
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    await page.get_by_label("New password").fill("password")
    await page.get_by_role("button", name="Set my new password").click()
    await expect(
        page.locator(".field-error")
    ).to_be_visible()  # the password rules, next to the field
    await page.get_by_label("New password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Set my new password").click()
    await page.get_by_role("link", name="Log in with it").click()

    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Your households")).to_be_visible()

    await page.goto(link)  # a second time, the link says what to do instead
    await page.get_by_label("New password").fill(NEW_PASSWORD + " again")
    await page.get_by_role("button", name="Set my new password").click()
    await expect(page.get_by_text("ask for a new one on the login page")).to_be_visible()
    assert page.js_errors == []


async def test_a_member_chooses_which_notifications_come_by_mail(new_phone):
    page = await new_phone()
    await family_with_a_list(page, "Tom")
    await page.goto("/#/notifications")
    mail = page.get_by_test_id("mail-preferences")
    await mail.get_by_text("What to mail me").click()
    reminders = mail.get_by_label("Reminders", exact=True)
    await expect(reminders).to_have_value("now")
    await reminders.select_option(label="No mail")
    await mail.get_by_label("Comments").select_option(label="In a daily digest")
    week = mail.get_by_label("The week ahead")
    await expect(week).to_have_value("weekly")
    await expect(week.locator("option", has_text="Mail me at once")).to_have_count(0)
    await mail.get_by_label("Time", exact=True).select_option(label="18:00")
    await mail.get_by_label("Weekly digest on").select_option(label="Sunday")
    await mail.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("Saved.")).to_be_visible()

    await page.reload()
    await mail.get_by_text("What to mail me").click()
    await expect(mail.get_by_label("Reminders", exact=True)).to_have_value("off")
    await expect(mail.get_by_label("Comments")).to_have_value("daily")
    await expect(mail.get_by_label("Time", exact=True)).to_have_value("18")
    await expect(mail.get_by_label("Weekly digest on")).to_have_value("sunday")
    assert page.js_errors == []
