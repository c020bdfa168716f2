"""A member's calendar feed as iCalendar (RFC 5545), from plain rows: no database, no surprise rules.

What goes in is decided by the caller (use_cases.calendar_feeds): the household's occasions and the
member's own open tasks, which are never kept from them (a task is never hidden from its assignee).
Here they become events a calendar app shows in the household's time zone:

- an occasion is an all-day event; a yearly one repeats with an RRULE (29 February falls on the 28th
  in other years, as the rest of giftflow counts it);
- a gift exchange the member takes part in (or organizes) is an all-day event on its day, with its
  price range; never who draws whom;
- a task is an event at its due time, its reminders VALARMs, its schedule an RRULE. A series that
  repeats after completion has no date to give until it is done, so it shows only the open one.

Every event's UID is stable across edits (and across a series' occurrences), so a calendar app updates
what it shows instead of duplicating it.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
    vRecur,
    vText,
)

from shared.validation.rrules import rrule_of, to_instant, to_local


class Text(vText):
    """TEXT escaped as RFC 5545 says, backslash first. icalendar's own escaping first reads a typed
    backslash followed by N as a line break, so a title like `C:\\New` would come back on two lines."""

    __slots__ = ()

    def to_ical(self) -> bytes:
        escaped = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\\n")
            .replace("\n", "\\n")
            .replace("\r", "\\n")
        )
        return escaped.encode(self.encoding)  # type: ignore[attr-defined]  # set by vText.__new__


PRODID = "-//giftflow//calendar feed//EN"
UID_DOMAIN = "giftflow"
_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)", re.IGNORECASE)
_UNTIL = re.compile(r"UNTIL=(\d{8})(?:T(\d{6})(Z?))?", re.IGNORECASE)
# how far ahead a feed's time zone is spelled out (as yearly rules wherever the zone keeps one)
ZONE_YEARS = 20
_KIND = {"birthday": "Birthday", "christmas": "Christmas", "anniversary": "Anniversary"}


@dataclass(frozen=True)
class FeedOccasion:
    id: str
    name: str
    kind: str
    date: dt.date
    recurs_yearly: bool
    for_names: tuple[str, ...]


@dataclass(frozen=True)
class FeedExchange:
    id: str
    name: str
    day: dt.date
    price: str | None  # e.g. "10.00–25.00 EUR"


@dataclass(frozen=True)
class FeedTask:
    uid: str  # the series' id for a recurring task, else the task's: one event per series
    title: str
    notes: str | None
    due_at: dt.datetime  # aware
    reminders: tuple[str, ...]  # ISO 8601 durations before the due time
    rrule: str | None
    from_completion: bool
    anchor_at: dt.datetime | None  # the series' first due time, from where COUNT counts
    # taken in turns: the next ones may be someone else's, so only this one is in this member's feed
    rotates: bool = False


def build(
    household_name: str,
    tz_name: str,
    occasions: Iterable[FeedOccasion],
    tasks: Iterable[FeedTask],
    stamp: dt.datetime,
    exchanges: Iterable[FeedExchange] = (),
) -> bytes:
    """The feed's bytes. `stamp` is DTSTAMP of every event: when the feed's content last changed."""
    tz = ZoneInfo(tz_name)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{household_name} · giftflow")
    cal.add("x-wr-timezone", tz_name)
    tasks = list(tasks)
    if tasks:
        first = min(t.due_at for t in tasks).astimezone(tz).year
        cal.add_component(vtimezone(tz_name, first - 1, max(first, stamp.year) + ZONE_YEARS))
    for occasion in occasions:
        cal.add_component(_occasion(occasion, stamp))
    for exchange in exchanges:
        cal.add_component(_exchange(exchange, stamp))
    for task in tasks:
        cal.add_component(_task(task, tz, stamp))
    return cal.to_ical()


def _exchange(exchange: FeedExchange, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"exchange-{exchange.id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", Text(f"Gift exchange: {exchange.name}"))
    event.add("dtstart", exchange.day)
    event.add("dtend", exchange.day + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Gift exchange"])
    if exchange.price:
        event.add("description", Text(f"Price range {exchange.price}"))
    return event


def _occasion(occasion: FeedOccasion, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"occasion-{occasion.id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", Text(occasion.name))
    event.add("dtstart", occasion.date)
    event.add("dtend", occasion.date + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("categories", [_KIND.get(occasion.kind, "Occasion")])
    if occasion.for_names:
        event.add("description", Text("For " + ", ".join(occasion.for_names)))
    if occasion.recurs_yearly:
        if (occasion.date.month, occasion.date.day) == (2, 29):
            rule = {"freq": "yearly", "bymonth": 2, "bymonthday": -1}
        else:
            rule = {"freq": "yearly"}
        event.add("rrule", vRecur(rule))
    return event


def _task(task: FeedTask, tz: ZoneInfo, stamp: dt.datetime) -> Event:
    event = Event()
    due = task.due_at.astimezone(tz)
    event.add("uid", f"task-{task.uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", Text(task.title))
    event.add("dtstart", due)
    event.add("dtend", due)
    event.add("categories", ["Task"])
    if task.notes:
        event.add("description", Text(task.notes))
    if task.rrule and not task.from_completion and not task.rotates:
        rule = repeat_rule(task.rrule, task.anchor_at or due, tz)
        event.add("rrule", vRecur.from_ical(rule))
        wall = due.replace(tzinfo=None)
        if next(iter(rrule_of(rule, wall, tz)), None) != wall:
            # a due time off the rule's days is still this occurrence; RFC 5545 leaves a DTSTART the
            # rule does not produce undefined, so it is named once more, explicitly
            event.add("rdate", due)
    for before in task.reminders:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", Text(task.title))
        alarm.add("trigger", -vDuration.from_ical(before))  # before the due time
        event.add_component(alarm)
    return event


def repeat_rule(rule: str, anchor_at: dt.datetime, tz: ZoneInfo) -> str:
    """The task's rule as RFC 5545 wants it beside a zoned DTSTART: a COUNT, which counts from the
    series' first occurrence, becomes the UNTIL of its last (the feed starts at the open one), and an
    UNTIL in wall time or as a date becomes the UTC instant it means."""
    body = rule.strip().removeprefix("RRULE:")
    count = _COUNT.search(body)
    if count:
        occurrences = list(rrule_of(body, to_local(anchor_at, tz), tz))
        last = to_instant(occurrences[-1], tz).astimezone(dt.UTC)
        body = _COUNT.sub("", body).strip(";") + f";UNTIL={last:%Y%m%dT%H%M%S}Z"

    def utc(match: re.Match) -> str:
        day, time, zulu = match.groups()
        if zulu:
            return match.group(0)
        wall = dt.datetime.strptime(day + (time or "235959"), "%Y%m%d%H%M%S")
        return f"UNTIL={to_instant(wall, tz).astimezone(dt.UTC):%Y%m%dT%H%M%S}Z"

    return _UNTIL.sub(utc, body)


# --- the household's time zone, for calendar apps that read VTIMEZONE rather than the IANA name -----


@lru_cache(maxsize=256)
def vtimezone(tz_name: str, first_year: int, last_year: int) -> Timezone:
    """The zone's changes between those years, each kind of change (to summer time, back to standard
    time) as one yearly RRULE when every year's change falls on the same weekday of the same month at
    the same hour (as today's rules do), else as the list of its dates. Lists alone (RDATE) are valid
    but some readers, dateutil's among them, ignore them and then show times an hour off."""
    zone = ZoneInfo(tz_name)
    changes = _changes(zone, dt.datetime(first_year, 1, 1, tzinfo=dt.UTC), last_year)
    component = Timezone()
    component.add("tzid", tz_name)
    if not changes:
        offset = zone.utcoffset(dt.datetime(first_year, 1, 1))
        standard = TimezoneStandard()
        standard.add("dtstart", dt.datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", zone.tzname(dt.datetime(first_year, 1, 1)) or tz_name)
        component.add_component(standard)
        return component
    groups: dict[tuple, list[dt.datetime]] = {}
    for before, after, name, dst, wall in changes:
        groups.setdefault((before, after, name, dst), []).append(wall)
    for (before, after, name, dst), walls in groups.items():
        regular = _regular_from(walls)
        runs = [(walls[:regular], None), (walls[regular:], _yearly_rule(walls[regular:]))]
        for run, rule in runs:
            if not run:
                continue
            part = TimezoneDaylight() if dst else TimezoneStandard()
            part.add("dtstart", run[0])
            part.add("tzoffsetfrom", before)
            part.add("tzoffsetto", after)
            if name:
                part.add("tzname", name)
            if rule:
                part.add("rrule", vRecur.from_ical(rule))
            elif len(run) > 1:
                part.add("rdate", run[1:])
            component.add_component(part)
    return component


def _changes(zone: ZoneInfo, start: dt.datetime, last_year: int) -> list[tuple]:
    """(offset before, offset after, name after, is summer time, wall time before) of every change."""
    found = []
    day, end = start, dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    offset = day.astimezone(zone).utcoffset()
    while day < end:
        following = day + dt.timedelta(days=1)
        after = following.astimezone(zone).utcoffset()
        if after != offset:
            low, high = day, following  # the change's minute, by bisection
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            local = high.astimezone(zone)
            assert offset is not None
            wall = (high + offset).replace(tzinfo=None, second=0, microsecond=0)
            found.append((offset, after, local.tzname(), bool(local.dst()), wall))
            offset = after
        day = following
    return found


def _shape(wall: dt.datetime) -> tuple:
    """The weekday, month and hour a change falls on (which week of the month is for `_days`)."""
    return wall.month, wall.weekday(), wall.time()


def _days(walls: list[dt.datetime]) -> str | None:
    """The days of the month the weekday falls among, as RFC 5545 says it: `2SU` (the second Sunday),
    `-1SU` (the last), or `SU;BYMONTHDAY=2,3,4,5,6,7,8` (the Sunday after the first Saturday, as
    Chile changes); None when the days span more than a week."""
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[walls[0].weekday()]
    nths = {(w.day - 1) // 7 + 1 for w in walls}
    if len(nths) == 1:
        return f"{nths.pop()}{day}"
    if all((w + dt.timedelta(days=7)).month != w.month for w in walls):
        return f"-1{day}"
    low = min(w.day for w in walls)
    if max(w.day for w in walls) - low > 6:
        return None
    return f"{day};BYMONTHDAY=" + ",".join(str(d) for d in range(low, low + 7))


def _regular_from(walls: list[dt.datetime]) -> int:
    """Where the run of changes that keep one shape, once a year, to the end begins (len: none does)."""
    start = len(walls) - 1
    while (
        start > 0
        and _shape(walls[start - 1]) == _shape(walls[-1])
        and _days(walls[start - 1 :]) is not None
    ):
        start -= 1
    years = [w.year for w in walls[start:]]
    regular = len(walls) - start >= 2 and years == list(range(years[0], years[0] + len(years)))
    return start if regular else len(walls)


def _yearly_rule(walls: list[dt.datetime]) -> str | None:
    """`FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU` for a run of changes of one shape, once a year; else None."""
    if len(walls) < 2 or _regular_from(walls) != 0:
        return None
    days = _days(walls)
    return f"FREQ=YEARLY;BYMONTH={walls[0].month};BYDAY={days}" if days else None
