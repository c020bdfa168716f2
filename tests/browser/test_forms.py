"""Errors the API answers are shown where a person looks for them: a field's problem next to the field."""

import re

from playwright.async_api import expect

from tests.browser.conftest import unique_email
from tests.browser.family import PASSWORD, sign_up


async def test_sign_up_shows_each_field_problem_next_to_its_field(new_phone):
    page = await new_phone()
    await page.goto("/#/signup")
    await page.get_by_label("Your name").fill("Erin")
    await page.get_by_label("Email").fill("not-an-email")
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Create account").click()

    password = page.get_by_label("Password")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".field", has=password).locator(".field-error")).to_contain_text(
        "8 characters"
    )
    email = page.get_by_label("Email")
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".field", has=email).locator(".field-error")).to_be_visible()
    await expect(page.get_by_label("Your name")).not_to_have_attribute("aria-invalid", "true")
    # the first field with a problem has the focus, and the problem is read with it
    await expect(email).to_be_focused()
    await expect(email).to_have_accessible_description(re.compile("valid email"))
    assert page.js_errors == []


async def test_a_weak_password_is_refused_next_to_it_with_what_to_do_instead(new_phone):
    page = await new_phone()
    await page.goto("/#/signup")
    await page.get_by_label("Your name").fill("Hana")
    await page.get_by_label("Email").fill(unique_email("Hana"))
    password = page.get_by_label("Password")
    problem = page.locator(".field", has=password).locator(".field-error")
    create = page.get_by_role("button", name="Create account")

    await password.fill("password123")
    await create.click()
    await expect(problem).to_contain_text("one of the most common passwords")
    await expect(problem).to_contain_text("unrelated words")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_be_focused()
    await expect(password).to_have_accessible_description(re.compile("most common passwords"))

    await password.fill("hana loves cake")  # her own name in it
    await create.click()
    await expect(problem).to_contain_text("Leave your name and email out of your password")

    await password.fill(PASSWORD)
    await create.click()
    await expect(page.get_by_role("heading", name="Your households")).to_be_visible()
    assert page.js_errors == []


async def test_signing_up_with_a_taken_email_says_to_log_in_next_to_the_email(new_phone):
    page = await new_phone()
    email = await sign_up(page, "Ivo")
    await page.context.clear_cookies()
    await page.goto("/#/signup")
    await page.get_by_label("Your name").fill("Ivo")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    field = page.get_by_label("Email")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".field", has=field).locator(".field-error")).to_contain_text(
        "log in instead"
    )
    assert page.js_errors == []


async def test_a_wrong_password_is_said_above_the_button_with_the_api_s_message(new_phone):
    page = await new_phone()
    email = await sign_up(page, "Finn")
    await page.context.clear_cookies()
    await page.goto("/#/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD + "!")
    await page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_be_visible()
    await expect(alert).to_have_attribute("data-code", "unauthorized")
    assert page.js_errors == []


async def test_signed_out_visitors_are_sent_to_log_in_and_come_back_where_they_were(new_phone):
    page = await new_phone()
    email = await sign_up(page, "Gus")
    await page.context.clear_cookies()
    await page.goto("/#/occasions")
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    # no household yet, so the way on leads through choosing one
    await expect(page.get_by_role("heading", name="Your households")).to_be_visible()
    assert page.js_errors == []
