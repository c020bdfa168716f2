"""Staying signed in: an expired access token is refreshed behind the scenes; logging out ends it."""

from playwright.async_api import expect

from tests.browser.conftest import unique_email
from tests.browser.family import PASSWORD, api, family_with_a_list


async def test_an_expired_access_token_is_refreshed_and_the_page_shows_as_usual(new_phone):
    page = await new_phone()
    await family_with_a_list(page, "Jo")
    await page.context.clear_cookies(name="gf_access")  # as if its 15 minutes were up

    await page.goto("/#/people")
    await expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name="Grandpa")).to_be_visible()
    assert "gf_access" in {c["name"] for c in await page.context.cookies()}
    assert page.js_errors == []


async def test_logging_out_ends_the_session_and_leads_to_log_in(new_phone):
    page = await new_phone()
    await family_with_a_list(page, "Kim")
    await page.goto("/#/account")
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    await page.goto("/#/people")
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert not {"gf_access", "gf_refresh"} & {c["name"] for c in await page.context.cookies()}
    assert page.js_errors == []


async def test_an_invitation_link_opened_signed_out_leads_through_sign_up_into_the_household(
    new_phone,
):
    admin, newcomer = await new_phone(), await new_phone()
    family = await family_with_a_list(admin, "Pia")
    invitation = await api(admin, "POST", f"{family['hh']}/invitations", {"role": "adult"})

    await newcomer.goto(f"/#/join?code={invitation['code']}")
    await expect(newcomer.get_by_role("heading", name="Log in")).to_be_visible()
    await expect(newcomer.get_by_test_id("invitation")).to_contain_text(
        "Join Pia's family, invited by Pia"
    )
    await newcomer.get_by_role("link", name="Create an account").click()
    await newcomer.get_by_label("Your name").fill("Quinn")
    await newcomer.get_by_label("Email").fill(unique_email("Quinn"))
    await newcomer.get_by_label("Password").fill(PASSWORD)
    await newcomer.get_by_role("button", name="Create account").click()

    await expect(newcomer.get_by_label("Invitation code")).to_have_value(invitation["code"])
    await newcomer.get_by_role("button", name="Join").click()
    await expect(newcomer.locator("#household-name")).to_have_text("Pia's family")
    await newcomer.get_by_role("navigation", name="Main").get_by_role("link", name="Family").click()
    await expect(newcomer.get_by_role("list", name="Members")).to_contain_text("Quinn")
    assert newcomer.js_errors == []
