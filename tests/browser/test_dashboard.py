"""The dashboard tells a family who still has no gift for the next occasion, and the grown-ups what it costs."""

import re
from datetime import date, timedelta

from playwright.async_api import expect

from tests.browser.conftest import SMALL_PHONE, screenshot, unique_email
from tests.browser.family import PASSWORD, api, family_with_a_list


async def test_the_dashboard_shows_who_has_no_gift_yet_and_follows_a_claim_live(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Ivy")
    hh, grandpa, wishes = family["hh"], family["person"]["id"], family["list"]["id"]
    birthday = await api(
        page,
        "POST",
        f"{hh}/occasions",
        {
            "name": "Grandpa's birthday",
            "kind": "birthday",
            "date": (date.today() + timedelta(days=10)).isoformat(),
            "person_ids": [grandpa],
        },
    )
    await api(page, "PATCH", f"{hh}/lists/{wishes}", {"occasion_id": birthday["id"]})
    slippers = await api(
        page,
        "POST",
        f"{hh}/lists/{wishes}/items",
        {"gift": {"title": "Warm slippers", "price": "30.00", "currency": "EUR"}},
    )
    await api(
        page,
        "PUT",
        f"{hh}/occasions/{birthday['id']}/budgets/{grandpa}",
        {"amount": "50", "currency": "EUR"},
    )

    await page.goto("/#/")
    occasion = page.locator("li.occasion").filter(has_text="Grandpa's birthday")
    await expect(occasion).to_contain_text("in 10 days")
    grandpa_row = occasion.locator("li.person-cover").filter(has_text="Grandpa")
    await expect(grandpa_row.get_by_text("No gift yet")).to_be_visible()
    await expect(occasion.get_by_text("1 still without a gift")).to_be_visible()

    # claimed elsewhere (another tab of the same member): the open dashboard follows through the live stream
    await api(page, "POST", f"{hh}/items/{slippers['id']}/claims", {"quantity": 1})
    await expect(grandpa_row.get_by_text("✓ 1 gift")).to_be_visible()
    await expect(grandpa_row).to_contain_text("€30.00 of €50.00")
    await expect(occasion.get_by_text("Everyone has a gift")).to_be_visible()
    await expect(page.get_by_role("list", name="My claims")).to_contain_text("Warm slippers")
    await screenshot(page, "dashboard")
    assert page.js_errors == []


async def test_a_child_s_dashboard_shows_who_is_covered_but_no_budgets_or_spend(new_screen):
    admin, child = await new_screen(SMALL_PHONE), await new_screen(SMALL_PHONE)
    family = await family_with_a_list(admin, "Uli")
    hh, grandpa, wishes = family["hh"], family["person"]["id"], family["list"]["id"]
    birthday = await api(
        admin,
        "POST",
        f"{hh}/occasions",
        {
            "name": "Grandpa's birthday",
            "kind": "birthday",
            "date": (date.today() + timedelta(days=9)).isoformat(),
            "person_ids": [grandpa],
        },
    )
    await api(admin, "PATCH", f"{hh}/lists/{wishes}", {"occasion_id": birthday["id"]})
    scarf = await api(
        admin,
        "POST",
        f"{hh}/lists/{wishes}/items",
        {"gift": {"title": "Wool scarf", "price": "40.00", "currency": "EUR"}},
    )
    await api(
        admin,
        "PUT",
        f"{hh}/occasions/{birthday['id']}/budgets/{grandpa}",
        {"amount": "60", "currency": "EUR"},
    )
    await api(admin, "POST", f"{hh}/items/{scarf['id']}/claims", {"quantity": 1})
    invitation = await api(admin, "POST", f"{hh}/invitations", {"role": "child"})
    await api(
        child,
        "POST",
        "/auth/signup",
        {"display_name": "Vic", "email": unique_email("vic"), "password": PASSWORD},
    )
    await api(child, "POST", "/invitations/accept", {"code": invitation["code"]})
    await child.goto("/")
    await child.evaluate(
        "id => localStorage.setItem('gf.household', id)", family["household"]["id"]
    )

    await child.goto("/#/")
    occasion = child.locator("li.occasion").filter(has_text="Grandpa's birthday")
    await expect(
        occasion.locator("li.person-cover").filter(has_text="Grandpa").get_by_text("✓ 1 gift")
    ).to_be_visible()
    await expect(occasion.locator("meter")).to_have_count(0)
    await expect(occasion.get_by_text(re.compile("€|Spent|Total"))).to_have_count(0)
    await expect(occasion.get_by_text(re.compile("budget", re.I))).to_have_count(0)

    # the grown-ups still see what it costs
    await admin.goto("/#/")
    await expect(
        admin.locator("li.occasion").filter(has_text="Grandpa's birthday")
    ).to_contain_text("€40.00 of €60.00")
    assert child.js_errors == [] and admin.js_errors == []
