"""What a caller must never learn, and a search for it in whatever they were answered.

A fact is a distinctive string (an id, a name, a text) or amount (37.71, not the 37.71 in 12:00:37.7123).
Besides the facts, the shape of an answer can tell a surprise: anything that mentions one of a recipient's
own wishes alongside a claim, a pledge or a status beyond "on my list" says what the givers did.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Fact:
    what: str
    value: str
    pattern: re.Pattern | None = field(
        default=None, repr=False, compare=False
    )  # else found as it is written
    is_id: bool = False

    def __str__(self) -> str:
        """How a finding names it: ids are many and alike, so by what they are the id of."""
        return self.what if self.is_id else f"the {self.what} {self.value!r}"


@dataclass
class Facts:
    items: list[Fact] = field(default_factory=list)

    def text(self, what: str, value: str) -> str:
        self.items.append(Fact(what, value))
        return value

    def amount(self, what: str, value: str | Decimal) -> str:
        value = f"{Decimal(value):.2f}"
        self.items.append(Fact(what, value, re.compile(rf"(?<![\d.:]){re.escape(value)}(?!\d)")))
        return value

    def ids(self, what: str, values: Iterable[str]) -> None:
        self.items += [Fact(what, str(value), is_id=True) for value in values]

    def found_in(self, text: str, sent: str = "") -> list[Fact]:
        """The facts in `text`, except those the caller sent themselves (an echo tells them nothing)."""
        text_lower, sent_lower = text.lower(), sent.lower()
        return [
            f
            for f in self.items
            if f.value.lower() not in sent_lower
            and (f.pattern.search(text) if f.pattern else f.value.lower() in text_lower)
        ]


# what a recipient's own wish must never be seen next to
SURPRISE_WORDS = re.compile(
    r"\b(claim\w*|pledge\w*|status_changed|selected|purchased|purchaser|wrapped|given|contributor)\b",
    re.IGNORECASE,
)
SURPRISE_KEYS = ("claimed_quantity", "purchased_by", "purchased_at", "status_changed_at")


def told_about_wishes(value: Any, wish_ids: frozenset[str]) -> list[str]:
    """Where an answer tells of what happened to the watched wishes (items, their gifts, the wish list)."""
    told = []

    def strings(v: Any) -> Iterable[str]:
        if isinstance(v, dict):
            for x in v.values():
                yield from strings(x)
        elif isinstance(v, list):
            for x in v:
                yield from strings(x)
        elif isinstance(v, str) and v not in wish_ids:
            yield v

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if any(isinstance(x, str) and x in wish_ids for x in v.values()):
                words = sorted(
                    {m.group(0) for s in strings(v) for m in [SURPRISE_WORDS.search(s)] if m}
                )
                keys = [k for k in SURPRISE_KEYS if v.get(k)]
                if words or keys:
                    told.append(f"{_what(v)} about a wish, saying {', '.join(words + keys)}")
                    return
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(value)
    return told


def _what(v: dict) -> str:
    """A short name of what an object is: an audit entry, a stream message, a notification, or a thing."""
    if isinstance(v.get("type"), str):
        return f"the audit entry {v['type']}"
    if isinstance(v.get("change"), str):
        return f"a stream message {v.get('entity')}.{v['change']}"
    if isinstance(v.get("text"), str) and isinstance(v.get("kind"), str):
        return f"a {v['kind']} notification"
    return "an object with " + ", ".join(sorted(v)[:6])


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
