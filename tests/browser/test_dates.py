"""A date that does not exist is said to be wrong, next to its field, and nothing is saved without it."""

from playwright.async_api import expect

from tests.browser.family import api, family_with_a_list


async def test_a_task_due_on_the_31st_of_april_is_refused_next_to_the_due_field(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Rui")
    await page.goto("/#/tasks")
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Add a task"))
    await form.get_by_label("What needs doing").fill("Order the cake")
    due = form.get_by_label("Due")
    await due.click()
    await page.keyboard.type("31042027")  # dd mm yyyy, as a British member types it
    await form.get_by_role("button", name="Add task").click()

    await expect(form.locator(".field-error")).to_contain_text("does not exist")
    await expect(due).to_have_attribute("aria-invalid", "true")
    await expect(due).to_be_focused()
    assert (await api(page, "GET", f"{family['hh']}/tasks"))["items"] == []
    assert page.js_errors == []


async def test_an_occasion_on_the_30th_of_february_is_refused_next_to_the_date_field(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Sol")
    await page.goto("/#/occasions")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add occasion"))
    await form.get_by_label("Name").fill("Leap day party")
    await form.get_by_label("Date").click()
    await page.keyboard.type("30022028")
    await form.get_by_role("button", name="Add occasion").click()

    await expect(form.locator(".field-error")).to_contain_text("does not exist")
    assert (await api(page, "GET", f"{family['hh']}/occasions"))["items"] == []
    assert page.js_errors == []
