"""A family takes its data with it: downloads the household as a file from the family page, and makes a
new household from that file, where the same lists are waiting."""

import json

from playwright.async_api import expect

from tests.browser.family import api, family_with_a_list, tab


async def test_a_family_downloads_its_data_and_imports_it_as_a_new_household(new_phone, tmp_path):
    page = await new_phone()
    family = await family_with_a_list(page, "Iris")
    await api(
        page,
        "POST",
        f"{family['hh']}/lists/{family['list']['id']}/items",
        {"gift": {"title": "Fishing rod"}},
    )
    await page.goto("/#/family")
    await page.get_by_text("Download our data").click()

    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Download JSON").click()
    saved = tmp_path / "export.json"
    await (await downloading.value).save_as(saved)
    exported = json.loads(saved.read_text())
    assert [lst["name"] for lst in exported["lists"]] == ["Grandpa's wishes"]
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Lists as CSV").click()
    assert (await downloading.value).suggested_filename == "lists.csv"

    await page.get_by_label("Export file").set_input_files(saved)
    await page.get_by_role("button", name="Import as a new household").click()

    await expect(page.locator("#toast")).to_contain_text("is a new household")
    await expect(page.get_by_role("heading", name="People")).to_be_visible()
    households = await api(page, "GET", "/households")
    assert sorted(h["name"] for h in households) == ["Iris's family", "Iris's family"]
    chosen = await page.evaluate("localStorage.getItem('gf.household')")
    assert chosen in {h["id"] for h in households} - {family["household"]["id"]}
    await page.get_by_role("link", name="Grandpa").click()
    await page.get_by_role("link", name="Grandpa's wishes").click()
    await expect(page.get_by_role("link", name="Fishing rod")).to_be_visible()
    await tab(page, "Family").click()
    assert page.js_errors == []


async def test_a_file_that_is_not_an_export_is_refused_saying_why(new_phone, tmp_path):
    page = await new_phone()
    await family_with_a_list(page, "Jon")
    await page.goto("/#/family")
    await page.get_by_text("Download our data").click()
    wrong = tmp_path / "notes.json"
    wrong.write_text(json.dumps({"format": "something else"}))

    await page.get_by_label("Export file").set_input_files(wrong)
    await page.get_by_role("button", name="Import as a new household").click()

    await expect(page.get_by_role("alert")).to_contain_text("This file cannot be imported: format")
    assert len(await api(page, "GET", "/households")) == 1
    assert page.js_errors == []
