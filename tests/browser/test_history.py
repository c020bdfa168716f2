"""Gift history in the web client, as a family uses it on a phone: a grown-up records a gift from someone
outside the household, plans the thank-you and ticks it off; a person's page says what we gave them last
year, and the gift form warns before giving it again; the recipient of a gift the family gave sees it
only once the household's reveal says so — then with who gave it, on the page already open; a child
finds Santa's gift from Santa and records gifts for themselves alone. The gifts the family gave come
from the wrap-up, as in use: an occasion over, an item handed over."""

from datetime import date

from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot, unique_email
from tests.browser.family import PASSWORD, api, family_with_a_list, tab
from tests.browser.test_accessibility import AXE, small_targets, violations
from tests.system.conftest import eventually


async def wrapped_up(page: Page, hh: str, person_id: str, title: str) -> dict:
    """The gift the family gave `person_id`, once the wrap-up has put it in their history."""
    found: list[dict] = []

    async def in_history() -> bool:
        page_ = await api(page, "GET", f"{hh}/history?person_id={person_id}&source=given")
        found[:] = [r for r in page_["items"] if r["title"] == title]
        return bool(found)

    await eventually(in_history, f"{title} in the history")
    return found[0]


async def hand_over(page: Page, hh: str, item_id: str) -> None:
    """Bought, wrapped and given: the item walks its pipeline to the end."""
    for status in ("selected", "purchased", "wrapped", "given"):
        await api(page, "POST", f"{hh}/items/{item_id}/status", {"status": status})


def record(page: Page, title: str):
    return page.locator("li.record").filter(has_text=title)


async def test_a_grown_up_records_a_gift_from_outside_the_household_and_says_thank_you(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page, "Sam")
    hh = family["hh"]
    me = await api(page, "GET", "/me")

    await tab(page, "History").click()
    await expect(page.get_by_role("heading", level=1, name="History")).to_be_visible()
    form = page.locator("form.record-received")
    await form.get_by_label("Who received it").select_option(label="Grandpa")
    await form.get_by_label("What was it").fill("Wool scarf")
    # from someone outside the household: their name is asked for, next to where it goes
    await form.get_by_role("button", name="Record gift").click()
    their_name = form.get_by_label("Their name")
    await expect(their_name).to_have_attribute("aria-invalid", "true")
    await expect(their_name).to_be_focused()
    await their_name.fill("Aunt Ruth")
    await form.get_by_role("button", name="Record gift").click()

    scarf = record(page, "Wool scarf")
    await expect(scarf).to_contain_text("To Grandpa · from Aunt Ruth")
    this_year = page.locator("li.history-year").filter(
        has=page.get_by_role("heading", level=2, name=str(date.today().year))
    )
    await expect(this_year.locator("li.record")).to_have_count(1)

    await scarf.get_by_role("button", name="Remind me to thank for Wool scarf").click()
    await expect(scarf).to_contain_text("Thank-you planned")
    await screenshot(page, "history")
    if AXE.exists():
        assert await violations(page) + await small_targets(page) == []
    await tab(page, "Tasks").click()
    thank_you = page.locator("li.task").filter(has_text="Aunt Ruth")
    await expect(thank_you).to_contain_text("Wool scarf")
    await expect(thank_you).to_contain_text("for you")

    await tab(page, "History").click()
    await scarf.get_by_role("checkbox", name="Thanked for Wool scarf").check()
    await expect(scarf.locator(".pill.ok")).to_have_text("Thanked")
    await expect(scarf).not_to_contain_text("Thank-you planned")
    saved = (await api(page, "GET", f"{hh}/history"))["items"]
    assert [(r["title"], r["giver_name"], r["thanked"]) for r in saved] == [
        ("Wool scarf", "Aunt Ruth", True)
    ]
    task = await api(page, "GET", f"{hh}/tasks/{saved[0]['thank_task_id']}")
    assert task["status"] == "done" and task["assignee_id"] == me["id"]

    # recorded on another phone: the open page follows
    await api(
        page,
        "POST",
        f"{hh}/history",
        {
            "recipient_person_id": family["person"]["id"],
            "giver_name": "Uncle Tom",
            "title": "Box of chocolates",
            "received_on": date.today().isoformat(),
        },
    )
    await expect(record(page, "Box of chocolates")).to_contain_text("from Uncle Tom")
    # what is left to thank for; the filter is kept in the address
    await page.get_by_label("Not yet thanked").check()
    await expect(scarf).to_have_count(0)
    await expect(record(page, "Box of chocolates")).to_be_visible()
    assert "open=1" in page.url
    assert page.js_errors == []


async def test_a_person_s_page_says_what_we_gave_them_last_year_and_the_gift_form_warns(
    new_phone,
):
    page = await new_phone()
    family = await family_with_a_list(page, "Lena")
    hh, grandpa = family["hh"], family["person"]
    me = await api(page, "GET", "/me")
    lena = await api(page, "POST", f"{hh}/people", {"name": "Lena", "linked_user_id": me["id"]})
    last_christmas = date(date.today().year - 1, 12, 25)
    christmas = await api(
        page,
        "POST",
        f"{hh}/occasions",
        {"name": "Christmas", "date": last_christmas.isoformat(), "kind": "christmas"},
    )
    ideas = await api(
        page,
        "POST",
        f"{hh}/lists",
        {
            "name": "Christmas ideas",
            "kind": "idea",
            "person_id": grandpa["id"],
            "occasion_id": christmas["id"],
        },
    )
    rod = await api(
        page, "POST", f"{hh}/lists/{ideas['id']}/items", {"gift": {"title": "Fishing rod"}}
    )
    await api(page, "POST", f"{hh}/items/{rod['id']}/claims", {"quantity": 1})
    # that Christmas is over: the wrap-up puts what was claimed for it into Grandpa's history
    await wrapped_up(page, hh, grandpa["id"], "Fishing rod")
    await api(
        page,
        "POST",
        f"{hh}/history",
        {
            "recipient_person_id": lena["id"],
            "giver_person_id": grandpa["id"],
            "title": "Knitted jumper",
            "received_on": last_christmas.isoformat(),
            "occasion_id": christmas["id"],
        },
    )

    await page.goto(f"/#/people/{grandpa['id']}")
    last_year = page.get_by_role("region", name=f"Grandpa in {last_christmas.year}")
    await expect(last_year).to_contain_text("Christmas")
    await expect(last_year).to_contain_text("To Grandpa: Fishing rod from Lena")
    await expect(last_year).to_contain_text("From Grandpa: Knitted jumper to Lena")
    await screenshot(page, "person-history")

    # giving it again is his to choose, but the form says it first
    await page.get_by_role("link", name="Grandpa's wishes").click()
    await page.get_by_role("link", name="Add a gift").click()
    await page.get_by_label("What is it?").fill("fishing rod")
    warning = page.locator(".similar")
    await expect(warning).to_have_text(
        f"⚠ You gave Grandpa “Fishing rod” for Christmas {last_christmas.year}."
    )
    await page.get_by_role("button", name="Add to list").click()
    await expect(page.get_by_role("link", name="fishing rod")).to_be_visible()
    assert page.js_errors == []


async def test_the_recipient_sees_a_gift_the_family_gave_only_once_it_is_revealed(
    new_phone,
):
    admin, ana = await new_phone(), await new_phone()
    family = await family_with_a_list(admin, "Sam")
    hh = family["hh"]
    invitation = await api(admin, "POST", f"{hh}/invitations", {"role": "adult"})
    await api(
        ana,
        "POST",
        "/auth/signup",
        {"display_name": "Ana", "email": unique_email("ana"), "password": PASSWORD},
    )
    await api(ana, "POST", "/invitations/accept", {"code": invitation["code"]})
    ana_id = (await api(ana, "GET", "/me"))["id"]
    person = await api(admin, "POST", f"{hh}/people", {"name": "Ana", "linked_user_id": ana_id})
    ideas = await api(
        admin, "POST", f"{hh}/lists", {"name": "For Ana", "kind": "idea", "person_id": person["id"]}
    )
    telescope = await api(
        admin, "POST", f"{hh}/lists/{ideas['id']}/items", {"gift": {"title": "Telescope"}}
    )
    # handed over today: with the household's setting (a day after), Ana sees it tomorrow
    await hand_over(admin, hh, telescope["id"])
    await wrapped_up(admin, hh, person["id"], "Telescope")

    await admin.goto("/#/history")
    given = record(admin, "Telescope")
    await expect(given).to_contain_text("To Ana · from Sam")
    await expect(given).to_contain_text("Ana sees it from")

    await ana.goto("/")
    await ana.evaluate("id => localStorage.setItem('gf.household', id)", family["household"]["id"])
    await ana.goto(f"/#/people/{person['id']}")
    await expect(ana.get_by_text("No gifts in Ana's history yet.")).to_be_visible()
    await ana.goto("/#/history")
    await expect(ana.get_by_text("Nothing here yet.", exact=False)).to_be_visible()
    await expect(record(ana, "Telescope")).to_have_count(0)

    await tab(admin, "Family").click()
    await admin.get_by_text("Household settings").click()
    await admin.get_by_label("When someone sees the gifts the family gave them").select_option(
        label="On the day of the occasion"
    )
    await expect(admin.get_by_label("Days after the occasion")).to_be_hidden()
    await admin.get_by_role("button", name="Save", exact=True).click()
    await expect(admin.get_by_text("Saved.")).to_be_visible()

    # Ana's open page follows the household's change by itself
    await expect(record(ana, "Telescope")).to_contain_text("To Ana · from Sam")
    await ana.goto(f"/#/people/{person['id']}")
    await expect(ana.get_by_role("region", name=f"Ana in {date.today().year}")).to_contain_text(
        "To Ana: Telescope from Sam"
    )
    assert admin.js_errors == [] and ana.js_errors == []


async def test_a_child_finds_santa_s_gift_in_their_history_and_records_only_their_own(new_phone):
    parent, leo = await new_phone(), await new_phone()
    family = await family_with_a_list(parent, "Mia")
    hh = family["hh"]
    await api(parent, "PATCH", hh, {"reveal": "at_occasion"})
    invitation = await api(parent, "POST", f"{hh}/invitations", {"role": "child"})
    await api(
        leo,
        "POST",
        "/auth/signup",
        {"display_name": "Leo", "email": unique_email("leo"), "password": PASSWORD},
    )
    await api(leo, "POST", "/invitations/accept", {"code": invitation["code"]})
    leo_id = (await api(leo, "GET", "/me"))["id"]
    person = await api(parent, "POST", f"{hh}/people", {"name": "Leo", "linked_user_id": leo_id})
    ideas = await api(
        parent,
        "POST",
        f"{hh}/lists",
        {"name": "For Leo", "kind": "idea", "person_id": person["id"]},
    )
    castle = await api(
        parent,
        "POST",
        f"{hh}/lists/{ideas['id']}/items",
        {"gift": {"title": "Lego castle", "from_santa": True}},
    )
    await hand_over(parent, hh, castle["id"])
    await wrapped_up(parent, hh, person["id"], "Lego castle")

    await leo.goto("/")
    await leo.evaluate("id => localStorage.setItem('gf.household', id)", family["household"]["id"])
    await tab(leo, "History").click()
    gift = record(leo, "Lego castle")
    await expect(gift).to_contain_text("To Leo · from Santa")
    await expect(gift).not_to_contain_text("Mia")
    form = leo.locator("form.record-received")
    recipients = form.get_by_label("Who received it").locator("option")
    await expect(recipients).to_have_text(["Leo"])
    await gift.get_by_role("checkbox", name="Thanked for Lego castle").check()
    await expect(gift.locator(".pill.ok")).to_have_text("Thanked")
    assert leo.js_errors == [] and parent.js_errors == []
