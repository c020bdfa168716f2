"""Tasks in the browser: add one with a due time and a reminder, see it under mine, change it, tick it off."""

from datetime import datetime, timedelta

from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.family import family_with_a_list


async def test_a_task_added_for_myself_is_among_mine_until_it_is_done(new_phone):
    page = await new_phone()
    await family_with_a_list(page, "Hana")
    await page.goto("/#/tasks")
    await expect(page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()

    tomorrow = (datetime.now() + timedelta(days=1)).replace(hour=18, minute=0)
    await page.get_by_label("What needs doing").fill("Order the cake")
    await page.get_by_label("Due").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_label("a day before").check()
    await page.get_by_role("button", name="Add task").click()

    cake = page.locator("li.task").filter(has_text="Order the cake")
    await expect(cake).to_contain_text("for you")
    await expect(cake).to_contain_text("Due ")
    await screenshot(page, "tasks")

    await cake.get_by_text("Change").click()
    await cake.get_by_label("What needs doing").fill("Order the chocolate cake")
    await cake.get_by_role("button", name="Save").click()
    cake = page.locator("li.task").filter(has_text="Order the chocolate cake")
    await expect(cake).to_contain_text("for you")

    await cake.get_by_role("button", name="Mark done: Order the chocolate cake").click()
    await expect(cake).to_have_count(0)
    await page.get_by_role("link", name="Done").click()
    await expect(page.locator("li.task.done").filter(has_text="Order the chocolate cake")).to_be_visible()
    assert page.js_errors == []
