"""The wisher's side: a member keeps their own wish list, and sees it as a wish list, not as surprises."""

from playwright.async_api import expect

from tests.browser.conftest import screenshot, unique_email
from tests.browser.family import PASSWORD, add_gift, api, item, start_list


async def test_a_member_starts_their_own_wish_list_and_adds_to_it(new_phone):
    page = await new_phone()
    me = await api(
        page,
        "POST",
        "/auth/signup",
        {"display_name": "Ivo", "email": unique_email("ivo"), "password": PASSWORD},
    )
    household = await api(page, "POST", "/households", {"name": "Ivo's family"})
    myself = await api(
        page,
        "POST",
        f"/households/{household['id']}/people",
        {"name": "Ivo", "linked_user_id": me["user"]["id"]},
    )
    await page.goto("/")
    await page.evaluate("id => localStorage.setItem('gf.household', id)", household["id"])

    await page.goto(f"/#/people/{myself['id']}")
    await expect(
        page.get_by_text("Start your wish list")
    ).to_be_visible()  # open: there is no list yet
    await start_list(page, "Ivo's wishes")
    await add_gift(page, "Climbing shoes")
    shoes = item(page, "Climbing shoes")
    await expect(shoes).to_contain_text("On your list")
    await screenshot(page, "own-wish-list")
    assert page.js_errors == []
