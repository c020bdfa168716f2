"""The gifts catalog pages through everything a member may see, however many gifts there are."""

from playwright.async_api import expect

from tests.browser.family import api, family_with_a_list


async def test_the_catalog_shows_more_than_one_page_of_gifts(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Pia")
    for n in range(1, 56):
        await api(page, "POST", f"{family['hh']}/gifts", {"title": f"Book no. {n:02d}"})
    await page.goto("/#/gifts")
    found = page.get_by_role("list", name="Gifts found").get_by_role("listitem")
    await expect(found).to_have_count(50)
    await page.get_by_role("button", name="Show more gifts").click()
    await expect(found).to_have_count(55)
    await expect(page.get_by_role("link", name="Book no. 01")).to_be_visible()
    await expect(page.get_by_role("button", name="Show more gifts")).to_have_count(0)
    assert page.js_errors == []
