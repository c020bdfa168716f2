"""Every screen of the web client, at phone and desktop size, as the seeded family sees it: no axe-core
violation (its experimental label-content-name-mismatch rule included: what a control shows is what it is
called, so a voice user can say it), and on a phone every control is big enough to hit with a thumb
(44 × 44 px, WCAG 2.5.5). A screenshot of every screen at both sizes goes to .stack/screenshots.

The screens are read from the client's own route table (web/js/routes.js), so a new screen is walked
without anyone remembering to add it here; a route parameter this walk cannot fill fails it."""

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from scripts.seed import emails, family, seed
from tests.browser.conftest import DESKTOP, SMALL_PHONE, screenshot
from tests.browser.family import api

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ROUTES = re.findall(r'path: "([^"]+)"', (ROOT / "web" / "js" / "routes.js").read_text())
SIGNED_OUT = ("/login", "/signup", "/forgot-password", "/reset-password", "/not-found")
TOUCH_PX = 44

pytestmark = pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by `make install`")


@pytest.fixture(scope="module")
async def okafors(stack) -> dict:
    """The seeded family, and one object of each kind a route names."""
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=60) as client:
        seeded = await seed(client, tag="a11y")
        email = emails("a11y")["maya"]
        token = (
            await client.post("/api/auth/login", json={"email": email, "password": family.PASSWORD})
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        hh = f"/api/households/{seeded.household_id}"
        lists = (await client.get(f"{hh}/lists", headers=headers)).json()["items"]
        gifts = (await client.get(f"{hh}/gifts", headers=headers)).json()["items"]
        people = (await client.get(f"{hh}/people", headers=headers)).json()["items"]
    ids = {"people": people[0]["id"], "lists": lists[0]["id"], "gifts": gifts[0]["id"]}
    return {"household_id": seeded.household_id, "email": email, "ids": ids}


def concrete(route: str, ids: dict[str, str]) -> str:
    def fill(match: re.Match) -> str:
        kind = route.strip("/").split("/")[0]
        assert kind in ids, (
            f"the accessibility walk does not know what to put in {route}: add it to okafors"
        )
        return ids[kind]

    return re.sub(r":\w+", fill, route)


async def violations(page: Page) -> list[str]:
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate("""async () => {
        const result = await axe.run(document, {
            resultTypes: ["violations"],
            rules: { "label-content-name-mismatch": { enabled: true } },  // experimental, so off by default
        });
        return result.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }""")
    return found


async def small_targets(page: Page) -> list[str]:
    """Controls a thumb cannot hit: smaller than 44 × 44 px (inline links in running text excepted).

    A control kept off the page or clipped away until it has the focus (the skip link) is measured
    as it shows when focused; one that stays out of sight even then is reported."""
    return await page.evaluate(
        """(min) => {
        const controls = document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]");
        const root = document.documentElement;
        const outOfSight = (r) => r.width <= 1 || r.height <= 1 || r.bottom + scrollY <= 0 || r.right + scrollX <= 0
            || r.top + scrollY >= root.scrollHeight || r.left + scrollX >= root.scrollWidth;
        const small = [];
        const before = document.activeElement;
        for (const el of controls) {
            let box = el.getBoundingClientRect();
            // not shown at all (display none, visibility hidden, or in a closed panel): nothing to hit
            if (!box.width || !box.height || !el.checkVisibility({ visibilityProperty: true })) continue;
            if (outOfSight(box)) {
                el.focus({ preventScroll: true });
                const shown = document.activeElement === el ? el.getBoundingClientRect() : box;
                el.blur();
                if (outOfSight(shown)) {
                    small.push(`${el.tagName.toLowerCase()} "${(el.textContent || "").trim().slice(0, 30)}" out of sight even when focused`);
                    continue;
                }
                box = shown;
            }
            const inText = el.tagName === "A" && el.closest("p, li.muted") && !el.classList.contains("button");
            if (inText) continue;
            // a checkbox or radio is hit through its label, which is what must be big enough
            const target = (el.type === "checkbox" || el.type === "radio") && el.closest("label") ? el.closest("label") : el;
            const r = target === el ? box : target.getBoundingClientRect();
            if (r.width < min || r.height < min) {
                small.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
            }
        }
        if (before && before.focus) before.focus({ preventScroll: true });
        return small;
    }""",
        TOUCH_PX,
    )


async def signed_in(page: Page, okafors: dict) -> None:
    await api(page, "POST", "/auth/login", {"email": okafors["email"], "password": family.PASSWORD})
    await page.goto("/")
    await page.evaluate("id => localStorage.setItem('gf.household', id)", okafors["household_id"])


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_every_screen_passes_axe_and_has_thumb_sized_controls(new_screen, okafors, size: str):
    page = await new_screen(SMALL_PHONE if size == "phone" else DESKTOP)
    problems: dict[str, list[str]] = {}
    for route in [r for r in ROUTES if r in SIGNED_OUT]:
        await page.goto(f"/#{route}")
        await expect(page.locator("#main h1")).to_be_visible()
        problems[route] = await violations(page) + (
            await small_targets(page) if size == "phone" else []
        )
    await signed_in(page, okafors)
    for route in [r for r in ROUTES if r not in SIGNED_OUT]:
        await page.goto(f"/#{concrete(route, okafors['ids'])}")
        await expect(page.locator("#main h1")).to_be_visible()
        await expect(page.locator("#main")).not_to_have_attribute("aria-busy", "true")
        name = route.strip("/").replace("/", "-").replace(":", "") or "home"
        await screenshot(page, f"{size}-{name}")
        problems[route] = await violations(page) + (
            await small_targets(page) if size == "phone" else []
        )
    found = {route: p for route, p in problems.items() if p}
    assert found == {}, "\n".join(f"{route}:\n  " + "\n  ".join(p) for route, p in found.items())
    assert page.js_errors == []
