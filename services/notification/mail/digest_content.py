"""What a digest mail says, from what it gathers: the notifications its mode held back and, for the
`upcoming` kind, the member's week ahead as the gateway read it for that member.

Pure: the week ahead is the member's own dashboard (the gateway's surprise rules already ran on it), and
the held notifications were only ever written for members allowed to hear of them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.notification.mail.schedule import zone_of

NOT_BOUGHT = ("idea", "selected")


@dataclass(frozen=True)
class Held:
    kind: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]


def _day(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%A} {day.day} {day:%B}"


def _moment(value: str | datetime, timezone: str | None) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(zone_of(timezone))
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


def _in_days(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def upcoming_sections(ahead: Mapping[str, Any], timezone: str | None, days: int) -> list[Section]:
    """The week ahead: occasions and who still has no gift, my claims not yet bought, my tasks due."""
    names: dict[str, str] = {}
    occasions, without = [], []
    for upcoming in ahead.get("occasions", ()):
        for person in upcoming["people"]:
            names[str(person["person_id"])] = person["name"]
        line = f"{upcoming['occasion']['name']}: {_day(upcoming['date'])} ({_in_days(upcoming['days_until'])})"
        occasions.append(line)
        missing = [p["name"] for p in upcoming["people"] if not p["has_gift"]]
        if missing:
            without.append(f"{upcoming['occasion']['name']}: {', '.join(missing)}")
    claims = []
    for claim in ahead.get("my_claims", ()):
        if claim["status"] in NOT_BOUGHT:
            whom = names.get(str(claim["person_id"]))
            claims.append(f"{claim['gift_title']} for {whom}" if whom else claim["gift_title"])
    horizon = date.fromisoformat(ahead["today"]) + timedelta(days=days)
    tasks = []
    for task in ahead.get("my_open_tasks", ()):
        due = task.get("due_at")
        if due is None:
            continue
        if datetime.fromisoformat(due).astimezone(zone_of(timezone)).date() > horizon:
            continue
        tasks.append(f"{task['title']}: due {_moment(due, timezone)}")
    return [
        Section("Occasions coming up", tuple(occasions)),
        Section("Still without a gift", tuple(without)),
        Section("My claims not yet bought", tuple(claims)),
        Section("My tasks due", tuple(tasks)),
    ]


def held_sections(
    held: Sequence[Held], labels: Mapping[str, str], timezone: str | None
) -> list[Section]:
    """The notifications held back, one section per kind, oldest first."""
    sections = []
    for kind, label in labels.items():
        lines = tuple(
            f"{h.text} ({_moment(h.created_at, timezone)})"
            for h in sorted(held, key=lambda h: h.created_at)
            if h.kind == kind
        )
        if lines:
            sections.append(Section(label, lines))
    return sections
