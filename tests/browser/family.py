"""What a family member does in the web client, step by step, as a person would: by labels and buttons."""

from playwright.async_api import Page, expect

from tests.browser.conftest import unique_email

PASSWORD = "correct horse battery staple"


async def sign_up(page: Page, name: str) -> str:
    email = unique_email(name)
    await page.goto("/#/signup")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Your households")).to_be_visible()
    return email


async def create_household(page: Page, name: str) -> None:
    await page.get_by_role("textbox", name="Name").fill(name)
    await page.get_by_role("button", name="Create household").click()
    await expect(page.get_by_role("heading", name="People")).to_be_visible()


def tab(page: Page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


async def invite(page: Page) -> str:
    """As an admin: a fresh invitation code for an adult."""
    await tab(page, "Family").click()
    await page.get_by_role("button", name="Create invitation code").click()
    code = page.get_by_test_id("invitation-code")
    await expect(code).to_be_visible()
    text = await code.text_content()
    await tab(page, "Home").click()  # the next code is made afresh
    return text.strip()


async def join(page: Page, code: str) -> None:
    await page.get_by_role("link", name="Have an invitation code? Join a household").click()
    await page.get_by_label("Invitation code").fill(code)
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", name="Coming up")).to_be_visible()


async def add_person(page: Page, name: str, member: str | None = None) -> None:
    await tab(page, "People").click()
    await page.get_by_role("textbox", name="Name").fill(name)
    if member:
        await page.get_by_label("Is this a member?").select_option(label=member)
    await page.get_by_role("button", name="Add person").click()
    await expect(page.get_by_role("heading", level=1, name=name, exact=True)).to_be_visible()


async def start_list(page: Page, name: str) -> str:
    """On a person's page: a new wish list for them; answers the list's address."""
    await page.get_by_role("textbox", name="Name").fill(name)
    await page.get_by_role("button", name="Create list").click()
    await expect(page.get_by_role("heading", level=1, name=name, exact=True)).to_be_visible()
    return page.url.split("#", 1)[1]


async def add_gift(page: Page, title: str) -> None:
    """On a list: a new gift on it."""
    await page.get_by_role("link", name="Add a gift").click()
    await page.get_by_label("What is it?").fill(title)
    await page.get_by_role("button", name="Add to list").click()
    await expect(page.get_by_role("link", name=title)).to_be_visible()


def item(page: Page, title: str):
    return page.locator("li.item").filter(has=page.get_by_role("link", name=title))


async def api(page: Page, method: str, path: str, body: dict | None = None) -> dict | None:
    """Call the API as the page's user (the browser's own cookies), for the steps a test is not about."""
    response = await page.context.request.fetch(f"/api{path}", method=method, data=body)
    assert response.ok, f"{method} {path}: {response.status} {await response.text()}"
    return await response.json() if response.status != 204 else None


async def family_with_a_list(page: Page, name: str = "Dana") -> dict:
    """Signed in (through the API) with a household, a person and a wish list for them."""
    await api(
        page,
        "POST",
        "/auth/signup",
        {"display_name": name, "email": unique_email(name), "password": PASSWORD},
    )
    household = await api(page, "POST", "/households", {"name": f"{name}'s family"})
    hh = f"/households/{household['id']}"
    person = await api(page, "POST", f"{hh}/people", {"name": "Grandpa"})
    wish_list = await api(
        page, "POST", f"{hh}/lists", {"name": "Grandpa's wishes", "person_id": person["id"]}
    )
    await page.goto("/")
    await page.evaluate("id => localStorage.setItem('gf.household', id)", household["id"])
    return {"household": household, "hh": hh, "person": person, "list": wish_list}
