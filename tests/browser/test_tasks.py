"""Tasks in the browser: add one with a due time and a reminder, see it under mine, change it, tick it off."""

import asyncio
from datetime import datetime, timedelta

from playwright.async_api import expect

from tests.browser.conftest import screenshot, unique_email
from tests.browser.family import PASSWORD, api, family_with_a_list


async def test_a_task_added_for_myself_is_among_mine_until_it_is_done(new_phone):
    page = await new_phone()
    await family_with_a_list(page, "Hana")
    await page.goto("/#/tasks")
    await expect(page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()

    tomorrow = (datetime.now() + timedelta(days=1)).replace(hour=18, minute=0)
    await page.get_by_label("What needs doing").fill("Order the cake")
    await page.get_by_label("Due").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_label("a day before").check()
    await page.get_by_label("a week before").check()
    await page.get_by_role("button", name="Add task").click()

    cake = page.locator("li.task").filter(has_text="Order the cake")
    await expect(cake).to_contain_text("for you")
    await expect(cake).to_contain_text("Due ")
    await screenshot(page, "tasks")

    await cake.get_by_text("Change").click()
    # the reminders come back as saved (the API spells a week P7D), so saving again keeps them
    await expect(cake.get_by_label("a week before")).to_be_checked()
    await expect(cake.get_by_label("a day before")).to_be_checked()
    await expect(cake.get_by_label("2 hours before")).not_to_be_checked()
    await cake.get_by_label("What needs doing").fill("Order the chocolate cake")
    await cake.get_by_role("button", name="Save").click()
    cake = page.locator("li.task").filter(has_text="Order the chocolate cake")
    await expect(cake).to_contain_text("for you")

    await cake.get_by_role("button", name="Mark done: Order the chocolate cake").click()
    await expect(cake).to_have_count(0)
    await page.get_by_role("link", name="Done").click()
    await expect(
        page.locator("li.task.done").filter(has_text="Order the chocolate cake")
    ).to_be_visible()
    assert page.js_errors == []


async def changing_a_task(page, name: str):
    """A family with the task "Book the table", its form to change it open; answers the family, a
    due time for more tasks, and the task's row."""
    family = await family_with_a_list(page, name)
    due = (datetime.now().astimezone() + timedelta(days=2)).replace(microsecond=0).isoformat()
    await api(page, "POST", f"{family['hh']}/tasks", {"title": "Book the table", "due_at": due})
    await page.goto("/#/tasks?show=open")
    table = page.locator("li.task").filter(has_text="Book the table")
    await table.get_by_text("Change").click()
    return family, due, table


async def test_a_refresh_already_on_its_way_does_not_wipe_what_is_being_typed(new_phone):
    page = await new_phone()
    family, due, table = await changing_a_task(page, "Ines")

    # someone else adds a task: the page starts reloading its list, and the answer is held back
    # until this member has typed into the open form
    arrived, release = asyncio.Event(), asyncio.Event()

    async def hold(route):
        arrived.set()
        await release.wait()
        await route.continue_()

    await page.route("**/tasks?status=open*", hold)
    await api(page, "POST", f"{family['hh']}/tasks", {"title": "Buy candles", "due_at": due})
    await asyncio.wait_for(arrived.wait(), timeout=60)
    await table.get_by_label("What needs doing").fill("Book the table for eight")
    release.set()

    await expect(page.locator("li.task").filter(has_text="Buy candles")).to_be_visible()
    await expect(table.get_by_label("What needs doing")).to_have_value("Book the table for eight")
    await table.get_by_role("button", name="Save").click()
    await expect(
        page.locator("li.task strong").filter(has_text="Book the table for eight")
    ).to_be_visible()
    await page.unroute("**/tasks?status=open*")
    assert page.js_errors == []


async def test_a_chore_taken_in_turns_comes_back_for_the_next_in_turn_once_done(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Kira")
    code = (await api(page, "POST", f"{family['hh']}/invitations", {"role": "adult"}))["code"]
    other = await new_phone()
    await api(
        other,
        "POST",
        "/auth/signup",
        {"display_name": "Lars", "email": unique_email("Lars"), "password": PASSWORD},
    )
    await api(other, "POST", "/invitations/accept", {"code": code})

    await page.goto("/#/tasks")
    add = page.locator("form").filter(has=page.get_by_role("heading", name="Add a task"))
    tomorrow = (datetime.now() + timedelta(days=1)).replace(hour=19, minute=0)
    await add.get_by_label("What needs doing").fill("Take the bins out")
    await add.get_by_label("Due").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    await add.get_by_label("How it repeats").select_option(label="Some time after it was done")
    await add.get_by_label("Every", exact=True).fill("3")
    await add.get_by_label("Days, weeks, months or years").select_option(label="days")
    await add.get_by_label("Also remind me").fill("90")
    await add.get_by_label("Minutes, hours, days or weeks before").select_option(label="minutes")
    await add.get_by_label("you", exact=True).check()
    await add.get_by_label("Lars", exact=True).check()
    await add.get_by_label("Whose turn is next").select_option(label="In turn")
    await add.get_by_role("button", name="Add task").click()

    bins = page.locator("li.task").filter(has_text="Take the bins out")
    await expect(bins).to_contain_text("Every 3 days after it was done")
    await expect(bins).to_contain_text("Turns: you, Lars (in turn)")
    await bins.get_by_text("Change").click()
    await expect(bins.get_by_label("1 hour 30 minutes before")).to_be_checked()
    await bins.get_by_role("button", name="Mark done: Take the bins out").click()

    # the recurring processor makes the next one, Lars's turn; the page hears of it live
    await page.get_by_role("link", name="All open").click()
    following = page.locator("li.task").filter(has_text="Take the bins out")
    await expect(following).to_contain_text("for Lars")
    await screenshot(page, "tasks-rotation")
    await following.get_by_text("Who did it").click()
    await expect(following.get_by_role("list", name="How often each has done it")).to_contain_text(
        "you: 1×"
    )
    await expect(following.get_by_role("list", name="Who did each one")).to_contain_text(
        "you did the one due"
    )
    assert page.js_errors == [] and other.js_errors == []


async def test_a_refresh_keeps_the_words_selected_in_a_field_so_typing_replaces_them(new_phone):
    page = await new_phone()
    family, due, table = await changing_a_task(page, "Jon")
    title = table.get_by_label("What needs doing")
    await title.click()
    await page.keyboard.press(
        "ControlOrMeta+A"
    )  # selected, not yet typed over: nothing to keep yet

    # someone else adds a task: the list is drawn again around the field that has the focus
    await api(page, "POST", f"{family['hh']}/tasks", {"title": "Buy candles", "due_at": due})
    await expect(page.locator("li.task").filter(has_text="Buy candles")).to_be_visible()
    await expect(title).to_be_focused()

    await page.keyboard.type("Book a table for eight")
    await expect(title).to_have_value("Book a table for eight")
    await table.get_by_role("button", name="Save").click()
    await expect(
        page.locator("li.task strong").filter(has_text="Book a table for eight")
    ).to_have_text("Book a table for eight")
    assert page.js_errors == []
