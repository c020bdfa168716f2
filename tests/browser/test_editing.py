"""Changing what is already there: a wish's count and notes, an occasion's name, a gift put on a second list."""

from datetime import date, timedelta

from playwright.async_api import expect

from tests.browser.family import api, family_with_a_list, item


async def test_an_item_s_count_and_notes_change_in_place(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Lou")
    await api(
        page,
        "POST",
        f"{family['hh']}/lists/{family['list']['id']}/items",
        {"gift": {"title": "Chess set"}},
    )
    await page.goto(f"/#/lists/{family['list']['id']}")
    chess = item(page, "Chess set")
    await chess.get_by_text("Change").click()
    await chess.get_by_label("How many are wanted").fill("2")
    await chess.get_by_label("Notes").fill("Wooden pieces, please")
    await chess.get_by_role("button", name="Save").click()
    await expect(chess).to_contain_text("2 wanted")
    await expect(chess).to_contain_text("Wooden pieces, please")
    assert page.js_errors == []


async def test_an_occasion_is_renamed_and_a_gift_goes_on_a_second_list(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Mia")
    hh, grandpa = family["hh"], family["person"]["id"]
    await api(
        page,
        "POST",
        f"{hh}/occasions",
        {
            "name": "Birthday",
            "date": (date.today() + timedelta(days=40)).isoformat(),
            "person_ids": [grandpa],
        },
    )
    ideas = await api(
        page,
        "POST",
        f"{hh}/lists",
        {"name": "Ideas for Grandpa", "kind": "idea", "person_id": grandpa},
    )
    train = await api(
        page, "POST", f"{hh}/lists/{family['list']['id']}/items", {"gift": {"title": "Model train"}}
    )

    await page.goto("/#/occasions")
    birthday = page.locator("li.occasion").filter(has_text="Birthday")
    await birthday.get_by_text("Change").click()
    await birthday.get_by_role("textbox", name="Name").fill("Grandpa's 80th")
    await birthday.get_by_role("button", name="Save").click()
    await expect(page.locator("li.occasion").filter(has_text="Grandpa's 80th")).to_contain_text(
        "For Grandpa"
    )

    await page.goto(f"/#/gifts/{train['gift_id']}")
    await page.get_by_text("Put it on another list").click()
    await page.get_by_label("List", exact=True).select_option(label="Ideas for Grandpa (Grandpa)")
    await page.get_by_role("button", name="Put it on this list").click()
    await expect(page.get_by_role("heading", level=1, name="Ideas for Grandpa")).to_be_visible()
    await expect(item(page, "Model train")).to_be_visible()
    assert ideas["id"] in page.url
    assert page.js_errors == []


async def test_co_gifters_chip_in_toward_a_gift_and_see_the_total(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Noa")
    await api(
        page,
        "POST",
        f"{family['hh']}/lists/{family['list']['id']}/items",
        {"gift": {"title": "Telescope", "price": "120.00", "currency": "EUR"}},
    )
    await page.goto(f"/#/lists/{family['list']['id']}")
    await item(page, "Telescope").get_by_role("link", name="Chip in").click()
    await expect(page.get_by_role("heading", level=1, name="Telescope")).to_be_visible()
    await page.get_by_label("My share").fill("40")
    await page.get_by_role("button", name="Chip in").click()
    pledges = page.get_by_role("region", name="Chipping in")
    await expect(pledges).to_contain_text("Together: €40.00 of €120.00")
    await page.get_by_role("button", name="Withdraw my share").click()
    await expect(pledges).to_contain_text("Nobody has chipped in yet.")
    assert page.js_errors == []


async def test_an_admin_renames_the_household_and_the_top_bar_follows(new_phone):
    page = await new_phone()
    await family_with_a_list(page, "Ray")
    await page.goto("/#/family")
    await page.get_by_text("Household settings").click()
    await page.get_by_label("Household name").fill("The Rays")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#household-name")).to_have_text("The Rays")
    assert page.js_errors == []
