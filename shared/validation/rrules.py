"""Recurrence rules: the RFC 5545 RRULEs a household task may repeat by, read by dateutil, within
bounds that keep working one out cheap, for the gateway that takes them and the recurring service
that expands them.

dateutil looks for a rule's next date period by period (day by day for FREQ=DAILY, second by second
for FREQ=SECONDLY) until one matches or the year 9999 is reached: `INTERVAL=0` never ends, and a rule
whose parts can never all hold (`BYMONTH=2;BYMONTHDAY=30`) costs seconds of CPU. So:

- what a family needs, and no more: daily, weekly, monthly or yearly (a household task is not done
  every hour); the time of day is the due time's (no BYHOUR, BYMINUTE, BYSECOND); days are picked
  with BYDAY, BYMONTHDAY, BYMONTH and BYSETPOS (no BYYEARDAY, BYWEEKNO); INTERVAL 1 to 999,
  COUNT 1 to 1000, UNTIL within the calendar;
- combinations that can never match are refused as they are read, without expanding: a month that
  never has that day, a position beyond what the period can hold, an INTERVAL that never visits the
  months named, the parts RFC 5545 does not allow at a frequency;
- what is left is expanded with a deadline (`next_after`), off the event loop, so a rule that slips
  through still costs at most that.

`check_rule` is the one reading: the gateway refuses what it refuses, the task events are validated
with it, and the recurring service expands only what it accepted.
"""

import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from math import gcd
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from shared.validation.moments import EARLIEST, LATEST

FROM_DUE, FROM_COMPLETION = "from_due", "from_completion"
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
MAX_INTERVAL, MAX_COUNT = 999, 1000
LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# a rule read at the gateway is given this long to find its next date; a consumer, which only ever
# sees rules the gateway accepted, gives it more, so a busy moment does not refuse what was accepted
GATEWAY_DEADLINE_S, CONSUMER_DEADLINE_S = 1.0, 5.0

_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"(\d{8})(?:T(\d{6})(Z?))?")


class RuleRefused(ValueError):
    """Not a rule we take; the message says why, for a person to act on."""


class RuleTooComplex(RuleRefused):
    """A rule whose next date could not be worked out in the time it is given."""


@dataclass(frozen=True)
class Rule:
    """The parts of a rule as read, upper-cased; `body` is the rule as given, without `RRULE:`."""

    body: str
    freq: str
    interval: int = 1
    count: int | None = None
    until: str | None = None
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int | None, str], ...] = ()
    bysetpos: tuple[int, ...] = ()


def _ints(name: str, value: str, low: int, high: int, signed: bool = False) -> tuple[int, ...]:
    values = []
    for item in value.split(","):
        digits = rf"\d{{1,{len(str(high))}}}"
        if (
            not re.fullmatch(rf"[+-]?{digits}" if signed else digits, item)
            or not low <= abs(int(item)) <= high
        ):
            span = f"{low} to {high} or -{high} to -{low}" if signed else f"{low} to {high}"
            raise RuleRefused(
                f"{name} takes whole numbers from {span}, comma-separated; not {item!r}"
            )
        values.append(int(item))
    return tuple(dict.fromkeys(values))


def _int(name: str, value: str, low: int, high: int) -> int:
    if "," in value:
        raise RuleRefused(f"{name} takes one whole number from {low} to {high}; not {value!r}")
    return _ints(name, value, low, high)[0]


def _days(value: str) -> tuple[tuple[int | None, str], ...]:
    days = []
    for item in value.split(","):
        match = _BYDAY.fullmatch(item)
        if match is None or (match.group(1) is not None and int(match.group(1)) == 0):
            raise RuleRefused(
                f"BYDAY takes days like MO,TU or positions like 1MO, -1FR; not {item!r}"
            )
        days.append((int(match.group(1)) if match.group(1) else None, match.group(2)))
    return tuple(dict.fromkeys(days))


def _until(value: str) -> str:
    match = _UNTIL.fullmatch(value)
    try:
        moment = (
            datetime.strptime(match.group(1) + (match.group(2) or "000000"), "%Y%m%d%H%M%S")
            if match
            else None
        )
    except ValueError:
        moment = None
    if moment is None:
        raise RuleRefused(
            f"UNTIL is a date like 20271231 or a UTC time like 20271231T235959Z; not {value!r}"
        )
    if not EARLIEST.replace(tzinfo=None) <= moment < LATEST.replace(tzinfo=None):
        raise RuleRefused("UNTIL must be between 1900 and 2199")
    return value


def parse(text: str) -> Rule:
    """The rule's parts, each within its bounds; RuleRefused when it is not one we take."""
    body = text.strip()
    body = body[len("RRULE:") :] if body.upper().startswith("RRULE:") else body
    if not body or any(c in body for c in "\r\n:"):
        raise RuleRefused(
            "must be one RRULE such as FREQ=WEEKLY;BYDAY=MO (no DTSTART, no other lines)"
        )
    parts: dict[str, str] = {}
    for part in filter(None, body.upper().split(";")):
        name, equals, value = part.partition("=")
        if not equals or not value:
            raise RuleRefused(f"{part!r} is not a NAME=VALUE part, as in FREQ=WEEKLY;BYDAY=MO")
        if name not in PARTS:
            raise RuleRefused(_unsupported(name))
        if name in parts:
            raise RuleRefused(f"{name} is given twice")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise RuleRefused(
            "repeats more often than once a day; a household task repeats daily at most "
            "(FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)"
        )
    if freq not in FREQUENCIES:
        raise RuleRefused(
            "is not an RRULE we take: it needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, "
            "as in FREQ=WEEKLY;BYDAY=MO"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleRefused("takes COUNT or UNTIL, not both")
    if "WKST" in parts and parts["WKST"] not in WEEKDAYS:
        raise RuleRefused("WKST is a day: MO, TU, WE, TH, FR, SA or SU")
    return Rule(
        body=body,
        freq=freq,
        interval=_int("INTERVAL", parts["INTERVAL"], 1, MAX_INTERVAL) if "INTERVAL" in parts else 1,
        count=_int("COUNT", parts["COUNT"], 1, MAX_COUNT) if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        bymonth=_ints("BYMONTH", parts["BYMONTH"], 1, 12) if "BYMONTH" in parts else (),
        bymonthday=_ints("BYMONTHDAY", parts["BYMONTHDAY"], 1, 31, signed=True)
        if "BYMONTHDAY" in parts
        else (),
        byday=_days(parts["BYDAY"]) if "BYDAY" in parts else (),
        bysetpos=_ints("BYSETPOS", parts["BYSETPOS"], 1, 366, signed=True)
        if "BYSETPOS" in parts
        else (),
    )


def _unsupported(name: str) -> str:
    if name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        return f"{name} is not taken: a task repeats at its due time of day"
    if name in ("BYYEARDAY", "BYWEEKNO"):
        return f"{name} is not taken: pick days with BYMONTH, BYMONTHDAY and BYDAY"
    if name == "DTSTART":
        return "DTSTART is not taken: the rule starts from the due time"
    return f"{name[:20]!r} is not an RRULE part this app takes ({', '.join(PARTS)})"


# what can never match, found without expanding -------------------------------------------------
def check_rule(text: str, start: datetime, mode: str = FROM_DUE) -> Rule:
    """The rule, if it can be expanded from `start` (the due time, as the household's wall time).

    from_completion rules start again from the day a task is done, so what they leave to the start
    (the day of the month, the month) must work from any day.
    """
    rule = parse(text)
    _check_parts_for(rule)
    any_start = mode == FROM_COMPLETION
    # dateutil takes the day (and for YEARLY the month) from the start only when no day is named
    from_start = not (rule.bymonthday or rule.byday) and rule.freq in ("MONTHLY", "YEARLY")
    if rule.bymonth:
        months = rule.bymonth
    elif from_start and rule.freq == "YEARLY" and not any_start:
        months = (start.month,)
    else:
        months = tuple(range(1, 13))
    if rule.bymonthday:
        days: tuple[int, ...] | None = rule.bymonthday
    elif from_start:
        days = tuple(range(1, 32)) if any_start else (start.day,)
    else:
        days = None
    if days is not None:
        _check_days_fit(rule, months, days, every_day=any_start and not rule.bymonthday)
    _check_interval_visits_months(rule, start.month, any_start)
    return rule


def _check_parts_for(rule: Rule) -> None:
    ordinals = [n for n, _ in rule.byday if n is not None]
    if ordinals and rule.freq in ("DAILY", "WEEKLY"):
        raise RuleRefused(
            f"BYDAY positions like 1MO need FREQ=MONTHLY or YEARLY; FREQ={rule.freq} takes plain days"
        )
    if ordinals and rule.bymonthday:
        raise RuleRefused("BYDAY positions like 2TU already pick the day; leave out BYMONTHDAY")
    widest = 53 if rule.freq == "YEARLY" and not rule.bymonth else 5
    if any(abs(n) > widest for n in ordinals):
        raise RuleRefused(f"BYDAY positions go from 1 to {widest} (or -1 to -{widest}) here")
    if rule.bymonthday and rule.freq == "WEEKLY":
        raise RuleRefused("BYMONTHDAY does not go with FREQ=WEEKLY; use FREQ=MONTHLY")
    if rule.byday and rule.freq == "DAILY" and rule.interval > 1:
        raise RuleRefused(
            "BYDAY with INTERVAL above 1 does not go with FREQ=DAILY; use FREQ=WEEKLY with BYDAY"
        )
    if rule.bysetpos:
        if rule.freq == "DAILY":
            raise RuleRefused(
                "BYSETPOS picks among a period's dates; a day has one, so FREQ=DAILY does not take it"
            )
        if not (rule.byday or rule.bymonthday):
            raise RuleRefused(
                "BYSETPOS needs BYDAY or BYMONTHDAY to pick among, e.g. BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
            )
        most = {"WEEKLY": len(rule.byday), "MONTHLY": 31, "YEARLY": 366}[rule.freq]
        if rule.freq == "MONTHLY":
            most = min(most, len(rule.bymonthday) if rule.bymonthday else 5 * len(rule.byday))
        if any(abs(p) > most for p in rule.bysetpos):
            raise RuleRefused(
                f"BYSETPOS asks for a position beyond the {most} dates each period can have"
            )


def _fits(month: int, day: int) -> bool:
    return abs(day) <= LONGEST_MONTH[month - 1]


def _check_days_fit(
    rule: Rule, months: tuple[int, ...], days: tuple[int, ...], every_day: bool
) -> None:
    named = ",".join(map(str, rule.bymonth)) if rule.bymonth else None
    if (
        every_day
    ):  # from_completion: the day the task was done decides, so every day must have a month
        if not any(_fits(m, 31) for m in months):
            raise RuleRefused(
                f"BYMONTH={named} has no 31st, and a task done on the 31st would never come "
                "round again; name the day with BYMONTHDAY"
            )
        return
    if not any(_fits(m, d) for m in months for d in days):
        which = (
            f"BYMONTHDAY={','.join(map(str, days))}"
            if rule.bymonthday
            else f"the due day ({days[0]})"
        )
        where = f"BYMONTH={named}" if named else "the due date's month"
        raise RuleRefused(f"can never happen: {where} never has {which}")


def _check_interval_visits_months(rule: Rule, start_month: int, any_start: bool) -> None:
    """MONTHLY with INTERVAL visits every INTERVAL-th month from the start: some must be in BYMONTH."""
    if rule.freq != "MONTHLY" or not rule.bymonth or rule.interval == 1:
        return
    step = gcd(rule.interval, 12)
    starts = range(1, 13) if any_start else (start_month,)
    for first in starts:
        visited = {(first - 1 + step * n) % 12 + 1 for n in range(12 // step)}
        if not visited & set(rule.bymonth):
            raise RuleRefused(
                f"INTERVAL={rule.interval} never lands on BYMONTH={','.join(map(str, rule.bymonth))} "
                "from the due date's month"
            )


# expanding, with a deadline ----------------------------------------------------------------------
def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """The household's wall time of an instant, without a zone (rules work on wall time)."""
    return instant.astimezone(tz).replace(tzinfo=None)


def to_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """A wall time as an instant: a skipped one moves forward, a repeated one is the first of the two."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def rrule_of(body: str, dtstart: datetime, tz: ZoneInfo) -> rrule:
    """dateutil's rule anchored at `dtstart` (a wall time); an UNTIL given in UTC (RFC 5545's form when
    the start has a zone) is read as the household's wall time of that instant."""

    def local(match: re.Match) -> str:
        instant = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return f"UNTIL={to_local(instant, tz):%Y%m%dT%H%M%S}"

    return rrulestr(_UNTIL_UTC.sub(local, body), dtstart=dtstart, ignoretz=True)


def next_after(rule: rrule, after: datetime, deadline_s: float) -> datetime | None:
    """The rule's first date after `after` (wall times), or None; RuleTooComplex past the deadline.

    CPU-bound: call it in a worker thread, never on the event loop.
    """
    with _deadline(deadline_s):
        return rule.after(after, inc=False)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Stop the code run in this thread once `seconds` have passed.

    dateutil's search has no hook to stop it, but it calls Python functions as it goes: a trace
    function, set for this thread alone and for this block alone, checks the clock on each call.
    """
    ends = time.monotonic() + seconds

    def check(frame, event, arg) -> Callable | None:
        if time.monotonic() > ends:
            raise RuleTooComplex(
                f"is too complex to work out its next date in {seconds:g} s; simplify it"
            )
        return None  # no line-by-line tracing: only calls are checked

    previous = sys.gettrace()
    sys.settrace(check)
    try:
        yield
    finally:
        sys.settrace(previous)


def check_repeats(
    text: str,
    due_at: datetime,
    timezone: str,
    mode: str = FROM_DUE,
    deadline_s: float = GATEWAY_DEADLINE_S,
) -> str:
    """The rule's text (without `RRULE:`) if a task due at `due_at` can repeat by it: readable, able to
    match, and with a next date after the due time within the calendar. CPU-bound, bounded by the deadline."""
    tz = ZoneInfo(timezone)
    start = to_local(due_at, tz)
    rule = check_rule(text, start, mode)
    try:
        expanded = rrule_of(rule.body, start, tz)
    except (ValueError, TypeError, KeyError) as exc:
        raise RuleRefused(f"is not a valid RFC 5545 RRULE: {exc}") from None
    following = next_after(expanded, start, deadline_s)
    if following is None or to_instant(following, tz) >= LATEST:
        raise RuleRefused("never repeats after the due time (look at its COUNT or UNTIL)")
    return rule.body
