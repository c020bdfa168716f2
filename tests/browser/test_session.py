"""Staying signed in: an expired access token is refreshed behind the scenes; logging out ends it."""

from playwright.async_api import expect

from tests.browser.family import family_with_a_list


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
