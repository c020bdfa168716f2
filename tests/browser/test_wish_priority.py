"""Most wanted first: the wisher says how much they want each wish, on a phone; a giver, at a desk,
finds the list in that order with the same words, and cannot re-rank someone else's wishes."""

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, SMALL_PHONE, screenshot, unique_email
from tests.browser.family import PASSWORD, api, item
from tests.browser.test_accessibility import AXE, small_targets, violations


async def wisher_with_a_list(page) -> dict:
    me = await api(
        page,
        "POST",
        "/auth/signup",
        {"display_name": "Noor", "email": unique_email("noor"), "password": PASSWORD},
    )
    household = await api(page, "POST", "/households", {"name": "Noor's family"})
    hh = f"/households/{household['id']}"
    myself = await api(
        page, "POST", f"{hh}/people", {"name": "Noor", "linked_user_id": me["user"]["id"]}
    )
    wishes = await api(
        page, "POST", f"{hh}/lists", {"name": "Noor's wishes", "person_id": myself["id"]}
    )
    await page.goto("/")
    await page.evaluate("id => localStorage.setItem('gf.household', id)", household["id"])
    return {"hh": hh, "list": wishes}


async def add_wish(page, list_id: str, title: str, priority: str) -> None:
    await page.goto(f"/#/lists/{list_id}/add")
    await page.get_by_label("What is it?").fill(title)
    await page.get_by_label("How much is it wanted?").select_option(label=priority)
    await page.get_by_role("button", name="Add to list").click()
    await expect(page.get_by_role("link", name=title)).to_be_visible()


async def titles(page) -> list[str]:
    return [t.strip() for t in await page.locator("li.item a.item-title").all_text_contents()]


async def test_the_wisher_ranks_wishes_and_a_giver_sees_the_most_wanted_first(new_screen):
    phone = await new_screen(SMALL_PHONE)
    family = await wisher_with_a_list(phone)
    list_id = family["list"]["id"]
    await add_wish(phone, list_id, "Socks", "Nice to have")
    await add_wish(phone, list_id, "Book", "Wanted")
    await add_wish(phone, list_id, "Bike", "Most wanted")
    await expect(phone.locator("li.item")).to_have_count(3)
    assert await titles(phone) == ["Bike", "Book", "Socks"]
    await expect(item(phone, "Bike").get_by_test_id("priority")).to_have_text("Most wanted")
    await expect(item(phone, "Socks").get_by_test_id("priority")).to_have_text("Nice to have")
    await expect(item(phone, "Book").get_by_test_id("priority")).to_have_count(0)

    # changed their mind: the book moves up once it is the most wanted too (then oldest first)
    book = item(phone, "Book")
    await book.get_by_text("Change").click()
    await book.get_by_label("How much is it wanted?").select_option(label="Most wanted")
    await book.get_by_role("button", name="Save").click()
    await expect(item(phone, "Book").get_by_test_id("priority")).to_have_text("Most wanted")
    assert await titles(phone) == ["Book", "Bike", "Socks"]
    await screenshot(phone, "wish-priority-phone")
    if AXE.exists():  # the badges and the open form with its choice
        assert await violations(phone) + await small_targets(phone) == []

    # a giver joins and opens the list on a desktop
    invitation = await api(phone, "POST", f"{family['hh']}/invitations", {"role": "adult"})
    desk = await new_screen(DESKTOP)
    await api(
        desk,
        "POST",
        "/auth/signup",
        {"display_name": "Tom", "email": unique_email("tom"), "password": PASSWORD},
    )
    joined = await api(desk, "POST", "/invitations/accept", {"code": invitation["code"]})
    await desk.goto("/")
    await desk.evaluate("id => localStorage.setItem('gf.household', id)", joined["id"])
    await desk.goto(f"/#/lists/{list_id}")
    await expect(desk.locator("li.item")).to_have_count(3)
    assert await titles(desk) == ["Book", "Bike", "Socks"]
    await expect(item(desk, "Socks").get_by_test_id("priority")).to_have_text("Nice to have")
    socks = item(desk, "Socks")
    await socks.get_by_text("Change").click()
    await expect(socks.get_by_label("How many are wanted")).to_be_visible()
    await expect(socks.get_by_label("How much is it wanted?")).to_have_count(0)  # Noor's to say
    await screenshot(desk, "wish-priority-desktop")
    if AXE.exists():
        assert await violations(desk) == []
    assert phone.js_errors == [] and desk.js_errors == []
