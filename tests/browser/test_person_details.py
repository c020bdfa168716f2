"""What the family should know about a person when choosing a gift: what they like and their sizes,
kept on the person's page, changed there, and read by everyone (a child too, who cannot change them)."""

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, SMALL_PHONE, unique_email
from tests.browser.family import PASSWORD, api, family_with_a_list


async def test_an_adult_keeps_a_person_s_interests_and_sizes_and_sees_them_on_their_page(
    new_screen,
):
    page = await new_screen(SMALL_PHONE)
    family = await family_with_a_list(page, "Ola")
    await page.goto(f"/#/people/{family['person']['id']}")
    await page.get_by_text("Edit Grandpa").click()
    await page.get_by_label("Interests").fill("chess, fishing")
    await page.get_by_label("For", exact=True).fill("shoe")
    await page.get_by_label("Size", exact=True).fill("44")
    await page.get_by_role("button", name="Add another size").click()
    await expect(page.get_by_label("For 2")).to_be_focused()
    await page.get_by_label("For 2").fill("jumper")
    await page.get_by_label("Size 2").fill("XL")
    await page.get_by_role("button", name="Save changes").click()

    about = page.get_by_role("region", name="About Grandpa")
    await expect(about.get_by_role("list", name="Sizes").get_by_role("listitem")).to_have_text(
        ["shoe: 44", "jumper: XL"]
    )
    await expect(about.get_by_role("list", name="Likes").get_by_role("listitem")).to_have_text(
        ["chess", "fishing"]
    )
    saved = await api(page, "GET", f"{family['hh']}/people/{family['person']['id']}")
    assert saved["sizes"] == {"shoe": "44", "jumper": "XL"} and saved["interests"] == [
        "chess",
        "fishing",
    ]

    # half a pair is said next to it, and nothing is saved
    await page.get_by_text("Edit Grandpa").click()
    size = page.get_by_label("Size", exact=True)
    await size.fill("")
    await page.get_by_role("button", name="Save changes").click()
    await expect(size).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".field", has=size).locator(".field-error")).to_contain_text(
        "Which shoe size?"
    )
    await expect(size).to_be_focused()
    assert (await api(page, "GET", f"{family['hh']}/people/{family['person']['id']}"))["sizes"][
        "shoe"
    ] == "44"
    assert page.js_errors == []


async def test_a_child_reads_a_person_s_sizes_but_cannot_change_them(new_screen):
    admin, child = await new_screen(DESKTOP), await new_screen(DESKTOP)
    family = await family_with_a_list(admin, "Pam")
    hh, grandpa = family["hh"], family["person"]["id"]
    await api(
        admin, "PATCH", f"{hh}/people/{grandpa}", {"interests": ["birds"], "sizes": {"hat": "L"}}
    )
    invitation = await api(admin, "POST", f"{hh}/invitations", {"role": "child"})
    await api(
        child,
        "POST",
        "/auth/signup",
        {"display_name": "Tim", "email": unique_email("tim"), "password": PASSWORD},
    )
    await api(child, "POST", "/invitations/accept", {"code": invitation["code"]})
    await child.goto("/")
    await child.evaluate(
        "id => localStorage.setItem('gf.household', id)", family["household"]["id"]
    )

    await child.goto(f"/#/people/{grandpa}")
    about = child.get_by_role("region", name="About Grandpa")
    await expect(about.get_by_role("list", name="Sizes").get_by_role("listitem")).to_have_text(
        ["hat: L"]
    )
    await expect(about.get_by_role("list", name="Likes").get_by_role("listitem")).to_have_text(
        ["birds"]
    )
    await expect(child.get_by_text("Edit Grandpa")).to_have_count(0)
    assert child.js_errors == []
