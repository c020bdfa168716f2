"""The dashboard tells a family who still has no gift for the next occasion, and what it costs."""

from datetime import date, timedelta

from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.family import api, family_with_a_list


async def test_the_dashboard_shows_who_has_no_gift_yet_and_follows_a_claim_live(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Ivy")
    hh, grandpa, wishes = family["hh"], family["person"]["id"], family["list"]["id"]
    birthday = await api(page, "POST", f"{hh}/occasions", {
        "name": "Grandpa's birthday", "kind": "birthday", "date": (date.today() + timedelta(days=10)).isoformat(),
        "person_ids": [grandpa],
    })
    await api(page, "PATCH", f"{hh}/lists/{wishes}", {"occasion_id": birthday["id"]})
    slippers = await api(page, "POST", f"{hh}/lists/{wishes}/items",
                         {"gift": {"title": "Warm slippers", "price": "30.00", "currency": "EUR"}})
    await api(page, "PUT", f"{hh}/occasions/{birthday['id']}/budgets/{grandpa}", {"amount": "50", "currency": "EUR"})

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
