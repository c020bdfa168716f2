"""What a person types wrong is said next to the field, in words, before anything is saved."""

from playwright.async_api import expect

from tests.browser.family import api, family_with_a_list


async def test_emptying_the_household_name_is_refused_and_the_name_stays(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Uma")
    await page.goto("/#/family")
    await page.get_by_text("Household settings").click()
    name = page.get_by_label("Household name")
    await name.fill("")
    await page.get_by_role("button", name="Save").click()

    await expect(page.locator(".field", has=name).locator(".field-error")).to_contain_text(
        "Please fill this in"
    )
    await expect(name).to_be_focused()
    assert (await api(page, "GET", family["hh"]))["name"] == "Uma's family"
    await expect(page.locator("#household-name")).to_have_text("Uma's family")
    assert page.js_errors == []
