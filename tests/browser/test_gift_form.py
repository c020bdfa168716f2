"""Adding a gift from a product link: the page's details fill only what the user left empty."""

import json

from playwright.async_api import Route, expect

from tests.browser.conftest import screenshot
from tests.browser.family import family_with_a_list, item

SHOP = "https://shop.example/p/rose-bush"


async def test_url_import_fills_the_empty_fields_and_keeps_what_the_user_typed(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page)
    sent = []

    async def shop_page_read(route: Route) -> None:
        # the gateway's answer, as if the user typed the title after the link was sent
        sent.append(json.loads(route.request.post_data))
        await route.fulfill(
            json={
                "url": SHOP,
                "title": "Rosa 'Gertrude Jekyll', 4 l pot",
                "price": "24.99",
                "currency": "EUR",
                "image_url": None,
                "imported": ["title", "price", "currency"],
            }
        )

    await page.route("**/api/households/*/gifts/import", shop_page_read)
    await page.goto(f"/#/lists/{family['list']['id']}/add")
    await page.get_by_label("What is it?").fill("A pink rose for the garden")
    await page.get_by_label("Link to the product").fill(SHOP)
    await page.get_by_role("button", name="Fill from link").click()

    await expect(page.get_by_label("Price")).to_have_value("24.99")
    await expect(page.get_by_label("Currency")).to_have_value("EUR")
    await expect(page.get_by_label("What is it?")).to_have_value("A pink rose for the garden")
    await expect(
        page.get_by_role("status").filter(has_text="Filled in from the page")
    ).to_contain_text("price")
    assert sent == [{"url": SHOP, "title": "A pink rose for the garden"}]
    await screenshot(page, "gift-imported")

    await page.get_by_role("button", name="Add to list").click()
    rose = item(page, "A pink rose for the garden")
    await expect(rose).to_contain_text("24.99")
    assert page.js_errors == []


async def test_a_link_the_gateway_refuses_is_explained_next_to_it_and_the_gift_can_be_typed_in(
    new_phone,
):
    page = await new_phone()
    family = await family_with_a_list(page)
    await page.goto(f"/#/lists/{family['list']['id']}/add")
    await page.get_by_label("Link to the product").fill("http://127.0.0.1/admin")
    await page.get_by_role("button", name="Fill from link").click()
    status = page.locator(".import-row .hint.error")
    await expect(status).to_be_visible()
    await expect(status).not_to_be_empty()

    await page.get_by_label("What is it?").fill("Garden gloves")
    await page.get_by_role("button", name="Add to list").click()
    await expect(item(page, "Garden gloves")).to_be_visible()
    assert page.js_errors == []


async def test_saving_a_gift_with_a_bad_price_shows_the_problem_next_to_the_price(new_phone):
    page = await new_phone()
    family = await family_with_a_list(page)
    await page.goto(f"/#/lists/{family['list']['id']}/add")
    await page.get_by_label("What is it?").fill("Watering can")
    await page.get_by_label("Price").fill("cheap")
    await page.get_by_role("button", name="Add to list").click()
    price = page.get_by_label("Price")
    await expect(price).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".field", has=price).locator(".field-error")).to_be_visible()
    assert page.js_errors == []


async def test_a_second_link_replaces_what_the_first_filled_in_but_not_what_the_user_typed(
    new_phone,
):
    page = await new_phone()
    family = await family_with_a_list(page)
    pages = {
        SHOP: {
            "title": "Rose bush",
            "price": "24.99",
            "currency": "EUR",
            "image_url": "https://shop.example/rose.jpg",
        },
        "https://shop.example/p/trowel": {
            "title": "Trowel",
            "price": "9.50",
            "currency": "GBP",
            "image_url": None,
        },
    }

    async def shop_page_read(route: Route) -> None:
        asked = json.loads(route.request.post_data)
        found = pages[asked["url"]]
        imported = [k for k, v in found.items() if v is not None and k not in asked]
        await route.fulfill(
            json={
                "url": asked["url"],
                **{k: asked.get(k, v) for k, v in found.items()},
                "imported": imported,
            }
        )

    await page.route("**/api/households/*/gifts/import", shop_page_read)
    await page.goto(f"/#/lists/{family['list']['id']}/add")
    await page.get_by_label("Link to the product").fill(SHOP)
    await page.get_by_role("button", name="Fill from link").click()
    await expect(page.get_by_label("What is it?")).to_have_value("Rose bush")
    await page.get_by_label("Price").fill("20.00")  # the member's own price

    await page.get_by_label("Link to the product").fill("https://shop.example/p/trowel")
    await page.get_by_role("button", name="Fill from link").click()
    await expect(page.get_by_label("What is it?")).to_have_value("Trowel")
    await expect(page.get_by_label("Currency")).to_have_value("GBP")
    await expect(page.get_by_label("Picture link")).to_have_value("")
    await expect(page.get_by_label("Price")).to_have_value("20.00")
    assert page.js_errors == []
