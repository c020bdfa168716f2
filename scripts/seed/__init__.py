"""Load a realistic family into a running giftflow through its REST API (`make seed`).

Everything goes through the gateway as the family members themselves would do it, so every row has its
events and the surprise rules apply as in real use. The content is fixed, and its random choices
(statuses, claims, pledges) come from a fixed seed. Running it again finds the family already there.
"""

import asyncio
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from scripts.seed import family
from scripts.seed.api import Gateway, Login, SeedError

__all__ = ["PIPELINE", "SeedError", "Seeded", "emails", "family", "seed"]

SEED = 20241225
LANES = 4  # lists loaded side by side; each draws from its own random, so the order does not matter
PIPELINE = ("idea", "selected", "purchased", "wrapped", "given")
# how far along items are: wish lists get bought from, idea lists are mostly still ideas
PROGRESS = {"wish": (35, 20, 20, 10, 15), "idea": (55, 20, 12, 8, 5)}
PEOPLE = {p.key: p for p in family.PEOPLE}


@dataclass
class Seeded:
    household_id: str
    logins: list[Login]
    already_there: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def emails(tag: str = "") -> dict[str, str]:
    """Each member's email; a tag (from --fresh) makes another family beside the first."""
    plus = f"+{tag}" if tag else ""
    return {m.key: f"{m.email_local}{plus}@example.com" for m in family.MEMBERS}


async def seed(client: httpx.AsyncClient, tag: str = "", today: dt.date | None = None) -> Seeded:
    """The Okafors in the gateway behind `client`: created, or found from an earlier run."""
    api = Gateway(client)
    addresses = emails(tag)
    logins = {
        m.key: await api.sign_up_or_log_in(m.key, m.name, addresses[m.key], family.PASSWORD)
        for m in family.MEMBERS
    }
    admin = logins["maya"]
    me = await api.call("GET", "/me", admin)
    household_id = next((h["id"] for h in me["households"] if h["name"] == family.HOUSEHOLD), None)
    if household_id is not None:
        people = await api.call("GET", f"/households/{household_id}/people?limit=1", admin)
        if people["items"]:
            return Seeded(household_id, list(logins.values()), already_there=True)
    else:
        body = {"name": family.HOUSEHOLD, "timezone": family.TIMEZONE}
        household_id = (await api.call("POST", "/households", admin, body))["id"]

    loader = Loader(api, household_id, logins, today or dt.date.today())
    await loader.add_members()
    await loader.add_people()
    await loader.add_occasions()
    lanes = asyncio.Semaphore(LANES)

    async def load(spec: family.GiftList) -> None:
        async with lanes:
            await loader.add_list(spec, random.Random(f"{SEED}:{spec.name}"))

    await asyncio.gather(*(load(spec) for spec in family.LISTS))
    await loader.add_comments()
    await loader.set_budgets()
    await loader.add_tasks()
    return loader.seeded


class Loader:
    def __init__(
        self, api: Gateway, household_id: str, logins: dict[str, Login], today: dt.date
    ) -> None:
        self.api, self.logins, self.today = api, logins, today
        self.h = f"/households/{household_id}"
        self.seeded = Seeded(household_id, list(logins.values()))
        self.person_ids: dict[str, str] = {}
        self.occasion_of: dict[str, dict] = {}
        self.gift_ids: dict[str, str] = {}

    async def post(self, path: str, who: str, body: dict) -> dict:
        return await self.api.call("POST", f"{self.h}{path}", self.logins[who], body)

    async def add_members(self) -> None:
        """Everyone but the admin joins through an invitation, as a family would."""
        self.seeded.add("members")
        for member in family.MEMBERS:
            me = await self.api.call("GET", "/me", self.logins[member.key])
            if any(h["id"] == self.seeded.household_id for h in me["households"]):
                continue
            invitation = await self.post("/invitations", "maya", {"role": member.role})
            await self.api.call(
                "POST", "/invitations/accept", self.logins[member.key], {"code": invitation["code"]}
            )
            self.seeded.add("members")

    async def add_people(self) -> None:
        for p in family.PEOPLE:
            body = {
                "name": p.name,
                "interests": list(p.interests),
                "sizes": p.sizes,
                "notes": p.notes,
                "linked_user_id": self.logins[p.member].user_id if p.member else None,
            }
            self.person_ids[p.key] = (await self.post("/people", "maya", body))["id"]
            self.seeded.add("people")

    async def add_occasions(self) -> None:
        for o in family.OCCASIONS:
            date = o.date if o.recurs_yearly else next_on(o.date, self.today).isoformat()
            body = {
                "name": o.name,
                "kind": o.kind,
                "date": date,
                "recurs_yearly": o.recurs_yearly,
                "notes": o.notes,
                "person_ids": [self.person_ids[k] for k in o.people],
            }
            self.occasion_of[o.key] = await self.post("/occasions", "maya", body)
            self.seeded.add("occasions")

    async def add_list(self, spec: family.GiftList, rng: random.Random) -> None:
        """One list, its gifts as items, and how far each has got: claimed, bought, wrapped, given."""
        occasion = self.occasion_of[spec.occasion] if spec.occasion else None
        body = {
            "name": spec.name,
            "kind": spec.kind,
            "person_id": self.person_ids[spec.person],
            "visibility": "household",
            "occasion_id": occasion["id"] if occasion else None,
        }
        lst = await self.post("/lists", spec.author, body)
        self.seeded.add("lists")
        weights = list(PROGRESS[spec.kind])
        if occasion is None or self.days_until(occasion) < 60:
            weights[-1] = (
                0  # "given" is from last time round: nothing is given in the weeks before the day
            )
        for wish in spec.wishes:
            item = await self.add_item(spec, lst["id"], wish)
            status = rng.choices(PIPELINE, weights=weights)[0]
            giver = rng.choice(spec.givers)
            if status != "idea" or rng.random() < 0.2:  # "I'll get this", said before buying
                units = wish.quantity if status != "idea" else 1
                await self.post(f"/items/{item['id']}/claims", giver, {"quantity": units})
                self.seeded.add("claims")
            for step in PIPELINE[1 : PIPELINE.index(status) + 1]:
                await self.post(f"/items/{item['id']}/status", giver, {"status": step})
            self.seeded.add(f"items_{status}")
            if wish.group:
                others = [k for k in spec.givers if k != giver]
                for key in rng.sample(others, k=min(2, len(others))):
                    share = (Decimal(wish.price) * rng.choice((15, 20, 25, 30)) / 100).quantize(
                        Decimal("1")
                    )
                    await self.api.call(
                        "PUT",
                        f"{self.h}/gifts/{item['gift_id']}/pledges/mine",
                        self.logins[key],
                        {"amount": str(share), "currency": wish.currency},
                    )
                    self.seeded.add("pledges")

    async def add_item(self, spec: family.GiftList, list_id: str, wish: family.Wish) -> dict:
        gift = {
            "title": wish.title,
            "price": wish.price,
            "currency": wish.currency,
            "tags": list(wish.tags),
            "url": f"https://shop.example.com/p/{slug(wish.title)}",
            "from_santa": wish.santa,
            "notes": wish.notes,
        }
        if (
            spec.author != PEOPLE[spec.person].member
        ):  # on your own wish list, the list says whom it is for
            gift["recipient_ids"] = [self.person_ids[spec.person]]
        body = {"gift": gift, "quantity": wish.quantity}
        if wish.priority != "normal":  # the wisher's to say: only on their own wish list
            body["priority"] = wish.priority
        item = await self.post(f"/lists/{list_id}/items", spec.author, body)
        self.gift_ids[wish.title] = item["gift_id"]
        self.seeded.add("gifts")
        self.seeded.add("items")
        return item

    async def add_comments(self) -> None:
        for title, author, text, surprise in family.COMMENTS:
            await self.post(
                f"/gifts/{self.gift_ids[title]}/comments",
                author,
                {"body": text, "surprise": surprise},
            )
            self.seeded.add("comments")

    async def set_budgets(self) -> None:
        """A Christmas budget for everyone and one for each birthday; a member's own budget is set by
        someone else, since it is kept from them."""
        if not await self.api.offers(
            "PUT", "/households/{household_id}/occasions/{occasion_id}/budgets/{person_id}"
        ):
            self.seeded.skipped.append("budgets (this gateway has no budgets endpoint)")
            return
        christmas = next(o for o in family.OCCASIONS if o.kind == "christmas")
        plan = [
            (p, "christmas", 120 if p in ("leo", "zoe", "ivy", "max") else 80)
            for p in christmas.people
        ]
        plan += [(o.people[0], o.key, 150) for o in family.OCCASIONS if o.kind == "birthday"]
        for person, occasion, amount in plan:
            setter = self.logins["daniel" if PEOPLE[person].member == "maya" else "maya"]
            path = f"{self.h}/occasions/{self.occasion_of[occasion]['id']}/budgets/{self.person_ids[person]}"
            await self.api.call("PUT", path, setter, {"amount": str(amount), "currency": "GBP"})
            self.seeded.add("budgets")

    async def add_tasks(self) -> None:
        """A few chores before the occasions, one that comes back every month, and one taken in
        turns every 3 days after it was done."""
        if not await self.api.offers("POST", "/households/{household_id}/tasks"):
            self.seeded.skipped.append("tasks (this gateway has no tasks endpoint)")
            return
        home = ZoneInfo(family.TIMEZONE)
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
        for task in family.TASKS:
            next_date = self.occasion_of[task.occasion]["next_date"] if task.occasion else None
            if next_date:
                day = dt.date.fromisoformat(next_date) - dt.timedelta(task.days_before)
            else:
                day = first_of_next_month(self.today)
            due = max(dt.datetime.combine(day, dt.time(18, 0), home), soon)
            body = {
                "title": task.title,
                "due_at": due.isoformat(),
                "assignee_id": self.logins[task.assignee].user_id,
                "occasion_id": self.occasion_of[task.occasion]["id"] if task.occasion else None,
                "person_id": self.person_ids[task.person] if task.person else None,
                "reminders": list(task.reminders),
                "rrule": task.rrule,
                "recurrence_mode": task.recurrence_mode,
            }
            if task.rotation:
                body |= {
                    "rotation": [self.logins[m].user_id for m in task.rotation],
                    "rotation_mode": "round_robin",
                }
            await self.post("/tasks", "maya", body)
            self.seeded.add("tasks")

    def days_until(self, occasion: dict) -> int:
        return (
            (dt.date.fromisoformat(occasion["next_date"]) - self.today).days
            if occasion["next_date"]
            else -1
        )


def next_on(iso_date: str, today: dt.date) -> dt.date:
    """The next date with the month and day of `iso_date`, today included."""
    day = dt.date.fromisoformat(iso_date)
    this_year = day.replace(year=today.year)
    return this_year if this_year >= today else day.replace(year=today.year + 1)


def first_of_next_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def slug(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())
