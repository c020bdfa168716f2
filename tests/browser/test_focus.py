"""Where the focus goes, and that it can be seen: a keyboard or screen-reader user stays where they acted,
what they reach is never hidden under the bars, and a passing message covers nothing they could press."""

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import DESKTOP, SMALL_PHONE
from tests.browser.family import api, create_household, family_with_a_list, item, sign_up

CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary"


async def in_clear_view(target: Locator) -> bool:
    """Wholly inside the window, below the top bar and above a bottom tab bar (not under either)."""
    return await target.evaluate("""el => {
        const r = el.getBoundingClientRect();
        const bar = (id) => { const b = document.getElementById(id); return b && !b.hidden ? b.getBoundingClientRect() : null; };
        const top = bar("topbar"), tabs = bar("tabbar");
        const ceiling = top ? Math.max(0, top.bottom) : 0;
        // the tab bar lies across the bottom on a phone; on a wide screen it is a side bar
        const floor = tabs && tabs.width > innerWidth / 2 ? tabs.top : innerHeight;
        return r.top >= ceiling - 0.5 && r.bottom <= floor + 0.5;
    }""")


async def described(target: Locator) -> str:
    return await target.evaluate("el => el.outerHTML.slice(0, 120)")


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_a_giver_claiming_and_releasing_with_the_keyboard_stays_on_that_item(
    new_screen, size: str
):
    page = await new_screen(SMALL_PHONE if size == "phone" else DESKTOP)
    family = await family_with_a_list(page, "Kofi")
    for title in ("Red kite", "Board game"):
        await api(
            page,
            "POST",
            f"{family['hh']}/lists/{family['list']['id']}/items",
            {"gift": {"title": title}},
        )
    await page.goto(f"/#/lists/{family['list']['id']}")
    kite = item(page, "Red kite")

    await kite.get_by_role("button", name="I'll get this").focus()
    await page.keyboard.press("Enter")
    await expect(kite.get_by_test_id("claim-state")).to_have_text("Claimed 1 of 1 by you")
    # "I'll get this" is gone with the claim: the item's next thing to do has the focus, not the page
    release = kite.get_by_role("button", name="Release my claim")
    await expect(release).to_be_focused()

    await page.keyboard.press("Enter")
    await expect(kite.get_by_test_id("claim-state")).to_have_text("Not claimed yet")
    await expect(kite.get_by_role("button", name="I'll get this")).to_be_focused()
    assert page.js_errors == []


async def test_tasks_ticked_off_with_the_keyboard_hand_the_focus_to_the_next_task(new_screen):
    page = await new_screen(SMALL_PHONE)
    family = await family_with_a_list(page, "Lars")
    me = (await api(page, "GET", "/me"))["id"]
    for title in ("Buy paper", "Wrap the kite"):
        await api(page, "POST", f"{family['hh']}/tasks", {"title": title, "assignee_id": me})
    await page.goto("/#/tasks")
    paper = page.locator("li.task").filter(has_text="Buy paper")
    await paper.get_by_role("button", name="Mark done: Buy paper").focus()
    await page.keyboard.press("Enter")
    await expect(paper).to_have_count(0)  # done: no longer among mine
    await expect(page.get_by_role("button", name="Mark done: Wrap the kite")).to_be_focused()
    assert page.js_errors == []


async def walk_with_tab(page: Page, key: str, until: Locator) -> None:
    """Press `key` until `until` has the focus; every control passed on the way must be in clear view."""
    for _ in range(60):
        await page.keyboard.press(key)
        focused = page.locator(":focus")
        if await focused.count():
            assert await in_clear_view(focused), (
                f"under a bar when focused: {await described(focused)}"
            )
        if await until.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{key} never reached {await described(until)}")


async def test_what_the_tab_key_reaches_is_never_under_the_tab_bar_or_the_top_bar(new_screen):
    page = await new_screen(SMALL_PHONE)
    await family_with_a_list(page, "Mina")
    await page.goto("/#/people")
    await expect(page.get_by_role("heading", name="People", exact=True)).to_be_focused()
    add = page.get_by_role("button", name="Add person")
    # the form runs past the bottom of a small phone: the button starts out of view
    assert not await in_clear_view(add)
    await walk_with_tab(page, "Tab", add)
    await walk_with_tab(page, "Shift+Tab", page.get_by_role("link", name="Find a gift"))
    assert page.js_errors == []


async def test_after_a_refused_form_the_problem_and_the_button_to_send_again_are_both_in_view(
    new_screen,
):
    page = await new_screen(SMALL_PHONE)
    family = await family_with_a_list(page, "Nuno")
    await page.goto(f"/#/lists/{family['list']['id']}/add")
    await page.get_by_label("What is it?").fill("Kite")
    quantity = page.get_by_label("How many are wanted")
    await quantity.fill("0")
    await page.get_by_label("What is it?").press("Enter")  # sent from the top of the form

    await expect(quantity).to_have_attribute("aria-invalid", "true")
    await expect(quantity).to_be_focused()
    assert await in_clear_view(quantity)
    assert await in_clear_view(page.get_by_role("button", name="Add to list"))
    assert page.js_errors == []


async def controls_under_messages(page: Page) -> tuple[int, list[str]]:
    """How many messages show, and the controls they cover."""
    return await page.evaluate(
        """(selector) => {
        const toasts = [...document.querySelectorAll("#toast .toast")].map((t) => t.getBoundingClientRect());
        const covered = [];
        for (const el of document.querySelectorAll(selector)) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height) continue;
            if (toasts.some((t) => r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top)) {
                covered.push((el.textContent || el.getAttribute("aria-label") || el.name || el.tagName).trim().slice(0, 40));
            }
        }
        return [toasts.length, covered];
    }""",
        CONTROLS,
    )


async def test_the_welcome_message_covers_no_control_of_the_page_it_leads_to(new_screen):
    page = await new_screen(SMALL_PHONE)
    await sign_up(page, "Ada")
    await create_household(page, "Ada's family")  # "Ada's family is ready.", then the people page
    await expect(page.locator("#toast .toast")).to_be_visible()
    await expect(page.get_by_role("button", name="Add person")).to_be_visible()
    messages, covered = await controls_under_messages(page)
    assert messages == 1 and covered == []
    assert page.js_errors == []
