"""A wide screen is used for what it is: the tabs become a side bar, the dashboard puts the occasions beside
what is mine to do, and a list's items sit in columns. A phone keeps its one column and bottom tab bar."""

from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.browser.conftest import DESKTOP, SMALL_PHONE, screenshot
from tests.browser.family import api, family_with_a_list, item, tab


async def box(locator) -> dict:
    """Where it is drawn now (its box in the window)."""
    await expect(locator).to_be_visible()
    return await locator.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
    )


async def a_family_with_plans(page: Page, name: str) -> dict:
    family = await family_with_a_list(page, name)
    hh, grandpa, wishes = family["hh"], family["person"]["id"], family["list"]["id"]
    await api(
        page,
        "POST",
        f"{hh}/occasions",
        {
            "name": "Grandpa's birthday",
            "kind": "birthday",
            "person_ids": [grandpa],
            "date": (date.today() + timedelta(days=12)).isoformat(),
        },
    )
    for title in ("Warm slippers", "Chess clock", "Fishing hat", "Crossword book"):
        await api(page, "POST", f"{hh}/lists/{wishes}/items", {"gift": {"title": title}})
    return family


async def test_on_a_wide_screen_the_tabs_are_a_side_bar_and_the_dashboard_uses_the_width(
    new_screen,
):
    page = await new_screen(DESKTOP)
    await a_family_with_plans(page, "Wim")
    await page.goto("/#/")
    nav = await box(page.get_by_role("navigation", name="Main"))
    assert nav["x"] == 0 and nav["height"] > nav["width"]  # a column down the left edge
    coming_up = await box(page.get_by_role("heading", name="Coming up"))
    mine = await box(page.get_by_role("heading", name="My claims"))
    assert mine["x"] > coming_up["x"] + coming_up["width"]  # beside, not below
    assert abs(mine["y"] - coming_up["y"]) < coming_up["height"] * 2
    assert coming_up["x"] > nav["x"] + nav["width"]  # nothing under the side bar
    await screenshot(page, "wide-dashboard")
    assert page.js_errors == []


async def test_on_a_wide_screen_a_list_s_items_sit_in_columns(new_screen):
    page = await new_screen(DESKTOP)
    family = await a_family_with_plans(page, "Xia")
    await page.goto(f"/#/lists/{family['list']['id']}")
    first, second = await box(item(page, "Warm slippers")), await box(item(page, "Chess clock"))
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"]
    await tab(page, "People").click()
    await expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    people = await box(page.get_by_role("list", name="People"))
    add = await box(page.get_by_role("heading", name="Add a person"))
    assert add["x"] > people["x"] + people["width"]  # the form beside the people, not under them
    assert page.js_errors == []


async def test_on_a_phone_the_tab_bar_stays_at_the_bottom_and_the_page_is_one_column(new_screen):
    page = await new_screen(SMALL_PHONE)
    family = await a_family_with_plans(page, "Yan")
    await page.goto("/#/")
    nav = await box(page.get_by_role("navigation", name="Main"))
    assert (
        nav["y"] + nav["height"] == SMALL_PHONE["height"] and nav["width"] == SMALL_PHONE["width"]
    )
    coming_up = await box(page.get_by_role("heading", name="Coming up"))
    mine = await box(page.get_by_role("heading", name="My claims"))
    assert mine["y"] > coming_up["y"] and mine["x"] < coming_up["x"] + coming_up["width"]
    await page.goto(f"/#/lists/{family['list']['id']}")
    first, second = await box(item(page, "Warm slippers")), await box(item(page, "Chess clock"))
    assert second["y"] > first["y"] + first["height"] - 1
    assert page.js_errors == []
