"""A family plans a gift together in their phones' browsers: claims show up live for the others and
never for the person the gift is for."""

import re

from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.family import (
    add_gift,
    add_person,
    create_household,
    invite,
    item,
    join,
    sign_up,
    start_list,
)


async def test_a_claim_shows_live_to_the_family_and_never_to_its_recipient(new_phone):
    alice, bob, carol = await new_phone(), await new_phone(), await new_phone()

    await sign_up(alice, "Alice")
    await create_household(alice, "The Millers")
    for member, name in ((bob, "Bob"), (carol, "Carol")):
        code = await invite(alice)
        await sign_up(member, name)
        await join(member, code)

    # Alice keeps a wish list for Bob, who is a member himself
    await add_person(alice, "Bob", member="Bob")
    wish_list = await start_list(alice, "Bob's birthday")
    await add_gift(alice, "Red kite")

    await carol.goto(f"/#{wish_list}")
    await expect(item(carol, "Red kite").get_by_test_id("claim-state")).to_have_text(
        "Not claimed yet"
    )
    await bob.goto(f"/#{wish_list}")
    await expect(item(bob, "Red kite")).to_be_visible()

    await item(alice, "Red kite").get_by_role("button", name="I'll get this").click()
    await expect(item(alice, "Red kite").get_by_test_id("claim-state")).to_have_text(
        "Claimed 1 of 1 by you"
    )

    # Carol's open page learns of it through the live stream, without a reload
    await expect(item(carol, "Red kite").get_by_test_id("claim-state")).to_have_text(
        "Claimed 1 of 1 by Alice"
    )
    await expect(item(carol, "Red kite").get_by_role("button", name="I'll get this")).to_have_count(
        0
    )
    await screenshot(carol, "list-claimed-live")

    # Bob sees his wish, and nothing of who claimed it or how far it got, even after a reload
    await bob.reload()
    bobs_kite = item(bob, "Red kite")
    await expect(bobs_kite.get_by_text("On your list")).to_be_visible()
    await expect(bobs_kite.get_by_test_id("claim-state")).to_have_count(0)
    await expect(bobs_kite.locator(".pipeline")).to_have_count(0)
    await expect(bob.get_by_text("Alice")).to_have_count(0)
    await expect(bob.get_by_text("Claimed")).to_have_count(0)
    await screenshot(bob, "list-as-recipient")

    # Carol was told what Alice did; reading it all clears the count on the bell
    unread = carol.locator("#unread")
    await expect(unread).to_be_visible()
    await carol.get_by_role("link", name=re.compile("^Notifications")).click()
    await expect(carol.locator(".notifications li.unread").first).to_be_visible()
    await screenshot(carol, "notifications")
    await carol.get_by_role("button", name="Mark all read").click()
    await expect(carol.locator(".notifications li.unread")).to_have_count(0)
    await expect(unread).to_be_hidden()

    for page in (alice, bob, carol):
        assert page.js_errors == []
