"""A gift exchange in the web client, as an organizer sets one up on a phone: the people, an exclusion
between partners, the draw; the organizer's own pick and those of the people who are not members, each
one tap from the receiver's wish list, on the exchange and on the home page."""

from datetime import date, timedelta

from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.family import api, family_with_a_list
from tests.browser.test_accessibility import AXE, small_targets, violations


async def test_an_organizer_sets_up_an_exchange_draws_and_sees_the_picks_they_hold(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Kofi")
    hh = family["hh"]
    me = await api(page, "GET", "/me")
    await api(page, "POST", f"{hh}/people", {"name": "Kofi", "linked_user_id": me["id"]})
    await api(page, "POST", f"{hh}/people", {"name": "Nana"})
    await api(page, "POST", f"{hh}/people", {"name": "Ama"})
    await api(
        page,
        "POST",
        f"{hh}/lists/{family['list']['id']}/items",
        {"gift": {"title": "Pipe"}, "quantity": 1},
    )
    christmas = (date.today() + timedelta(days=40)).isoformat()
    await api(
        page,
        "POST",
        f"{hh}/occasions",
        {"name": "Christmas", "date": christmas, "kind": "christmas", "recurs_yearly": True},
    )

    await page.goto("/#/occasions")
    await page.get_by_role("link", name="Gift exchanges").click()
    await expect(page.get_by_role("heading", level=1, name="Gift exchanges")).to_be_visible()
    form = page.locator("form.new-exchange")
    await form.get_by_label("Name").fill("Family Secret Santa")
    await form.get_by_label("Occasion").select_option(label="Christmas")
    await form.get_by_label("The day gifts are exchanged").fill(
        (date.today() + timedelta(days=30)).isoformat()
    )
    await form.get_by_label("Price from").fill("10")
    await form.get_by_label("up to").fill("25")
    await form.get_by_label("Currency").fill("EUR")
    for name in ("Kofi", "Grandpa", "Nana", "Ama"):
        await form.get_by_role("checkbox", name=name).check()
    await form.get_by_label("This person").select_option(label="Nana")
    await form.get_by_label("never draws").select_option(label="Grandpa")
    await form.get_by_role("button", name="Add exclusion").click()
    await expect(form.get_by_role("list", name="Exclusions")).to_contain_text(
        "Nana and Grandpa never draw each other"
    )
    await form.get_by_role("button", name="Start exchange").click()

    card = page.locator("li.exchange").filter(has_text="Family Secret Santa")
    await expect(card).to_contain_text("Not drawn yet")
    await expect(card).to_contain_text("Price range:")
    await card.get_by_role("button", name="Draw names").click()
    await expect(card).to_contain_text("Names drawn")

    # Kofi holds his own pick and those of Grandpa, Nana and Ama, who are not members
    picks = card.get_by_role("region", name="My pick in Family Secret Santa")
    rows = picks.locator("li.pick")
    await expect(rows).to_have_count(4)
    await expect(rows.first).to_contain_text("You give to")
    texts = await rows.all_inner_texts()
    assert not any("Nana gives to Grandpa" in t or "Grandpa gives to Nana" in t for t in texts)
    # whoever draws Grandpa is one tap from his wish list
    to_grandpa = picks.get_by_role("link", name="Grandpa's wish list")
    await expect(to_grandpa).to_have_attribute("href", f"#/lists/{family['list']['id']}")
    await expect(
        card.get_by_role("region", name="Who has started shopping in Family Secret Santa")
    ).to_contain_text("not yet")
    await screenshot(page, "gift-exchange")
    if AXE.exists():
        assert await violations(page) + await small_targets(page) == []

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    santa = page.get_by_role("region", name="Secret Santa")
    await expect(santa.locator("li.pick")).to_have_count(4)
    await santa.get_by_role("link", name="Grandpa's wish list").click()
    await expect(page.get_by_role("heading", level=1, name="Grandpa's wishes")).to_be_visible()

    # claimed for the exchange: it counts as the gift of whoever drew Grandpa
    await page.get_by_role("button", name="I'll get this for Family Secret Santa").click()
    await expect(page.get_by_test_id("claim-state")).to_have_text("Claimed 1 of 1 by you")
    await page.goto("/#/exchanges")
    started = card.get_by_role("region", name="Who has started shopping in Family Secret Santa")
    await expect(started.get_by_text("started", exact=True)).to_have_count(1)
    assert page.js_errors == []
