"""Following an invitation: the page names the household it leads to and who sent it, before the
newcomer signs up or in; a code that no longer works says so, and what to do."""

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, SMALL_PHONE, screenshot, unique_email
from tests.browser.family import PASSWORD, api
from tests.browser.test_accessibility import AXE, small_targets, violations


async def household_with_an_invitation(page, admin: str, household: str) -> dict:
    await api(
        page,
        "POST",
        "/auth/signup",
        {"display_name": admin, "email": unique_email(admin), "password": PASSWORD},
    )
    made = await api(page, "POST", "/households", {"name": household})
    return await api(page, "POST", f"/households/{made['id']}/invitations", {"role": "adult"})


async def test_a_newcomer_sees_which_household_they_are_joining_before_signing_up(new_screen):
    admin, newcomer = await new_screen(SMALL_PHONE), await new_screen(SMALL_PHONE)
    invitation = await household_with_an_invitation(admin, "Ada", "The Okafors")

    await newcomer.goto(f"/#/join?code={invitation['code']}")
    note = newcomer.get_by_test_id("invitation")
    await expect(note).to_contain_text("Join The Okafors household, invited by Ada.")
    await screenshot(newcomer, "join-invited-signed-out")
    if AXE.exists():
        assert await violations(newcomer) + await small_targets(newcomer) == []
    await newcomer.get_by_role("link", name="Create an account").click()
    await expect(newcomer.get_by_role("heading", name="Create your account")).to_be_visible()
    await expect(note).to_contain_text("Join The Okafors household, invited by Ada.")
    await newcomer.get_by_label("Your name").fill("Bo")
    await newcomer.get_by_label("Email").fill(unique_email("bo"))
    await newcomer.get_by_label("Password").fill(PASSWORD)
    await newcomer.get_by_role("button", name="Create account").click()

    await expect(newcomer.get_by_role("heading", name="Join The Okafors household")).to_be_visible()
    await expect(newcomer.get_by_test_id("invitation")).to_have_text("Invited by Ada.")
    await screenshot(newcomer, "join-invited")
    if AXE.exists():
        assert await violations(newcomer) + await small_targets(newcomer) == []
    await newcomer.get_by_role("button", name="Join").click()
    await expect(newcomer.locator("#household-name")).to_have_text("The Okafors")
    assert admin.js_errors == [] and newcomer.js_errors == []


async def test_a_used_or_unknown_code_says_so_and_names_nobody(new_screen):
    admin, first, newcomer = [await new_screen(DESKTOP) for _ in range(3)]
    invitation = await household_with_an_invitation(admin, "Cy", "Millers")
    await api(
        first,
        "POST",
        "/auth/signup",
        {"display_name": "Di", "email": unique_email("di"), "password": PASSWORD},
    )
    await api(first, "POST", "/invitations/accept", {"code": invitation["code"]})

    await newcomer.goto(f"/#/join?code={invitation['code']}")
    note = newcomer.get_by_test_id("invitation")
    await expect(note).to_contain_text("already been used; ask for a new one")
    await expect(note).not_to_contain_text("Millers")
    await screenshot(newcomer, "join-used-code")

    await newcomer.goto("/#/join?code=ZZZZ-ZZZZ")
    await expect(note).to_contain_text("No invitation has this code")
    assert newcomer.js_errors == []


async def test_a_code_typed_in_says_where_it_leads_before_joining(new_screen):
    admin, member = await new_screen(SMALL_PHONE), await new_screen(SMALL_PHONE)
    invitation = await household_with_an_invitation(admin, "Eve", "Lindqvist")
    await api(
        member,
        "POST",
        "/auth/signup",
        {"display_name": "Fay", "email": unique_email("fay"), "password": PASSWORD},
    )
    await member.goto("/#/join")
    await member.get_by_label("Invitation code").fill(invitation["code"].lower())
    await member.get_by_label("Invitation code").blur()
    await expect(member.get_by_test_id("typed-invitation")).to_have_text(
        "Joins the Lindqvist household, invited by Eve."
    )
    await member.get_by_role("button", name="Join").click()
    await expect(member.locator("#household-name")).to_have_text("Lindqvist")
    assert member.js_errors == []
