"""When the next occurrence of a recurring task or yearly occasion falls, by dateutil's rrule.

Everything is computed in the household's wall time: a task due at 09:00 every day stays at 09:00
across daylight-saving changes. A naive local time is turned into an instant only at the end; a wall
time that does not exist (the hour skipped in spring) moves forward, one that happens twice (the hour
repeated in autumn) is the first of the two.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import YEARLY, rrule, rrulestr

FROM_DUE = "from_due"
FROM_COMPLETION = "from_completion"

_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)
_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)", re.IGNORECASE)


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """The household's wall time of an instant, without a zone (rrule works on wall time)."""
    return instant.astimezone(tz).replace(tzinfo=None)


def to_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _rule_body(rule: str) -> str:
    body = rule.strip()
    return body[len("RRULE:"):] if body.upper().startswith("RRULE:") else body


def _wall_until(rule: str, tz: ZoneInfo) -> str:
    """An UNTIL given in UTC (RFC 5545's form when DTSTART has a zone) as the household's wall time."""

    def local(match: re.Match) -> str:
        instant = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return f"UNTIL={to_local(instant, tz):%Y%m%dT%H%M%S}"

    return _UNTIL_UTC.sub(local, rule)


def parse_rule(rule: str, dtstart: datetime, tz: ZoneInfo) -> rrule:
    """The rule anchored at `dtstart` (a wall time); ValueError when it is not a valid RRULE."""
    return rrulestr(_wall_until(_rule_body(rule), tz), dtstart=dtstart, ignoretz=True)


def count_of(rule: str) -> int | None:
    match = _COUNT.search(_rule_body(rule))
    return int(match.group(1)) if match else None


def next_due(
    rule: str,
    mode: str,
    tz_name: str,
    anchor_at: datetime,
    due_at: datetime,
    index: int,
    completed_at: datetime | None = None,
) -> datetime | None:
    """The due time of the task after the one due at `due_at` (the `index`-th of its series, from 0),
    or None when the series has ended.

    from_due: the rule runs from the series' anchor (its first due time), so COUNT and UNTIL count
    from there and the next task falls on the rule's next date, however late the last one was done.
    from_completion: the rule runs from the day the task was done, at the due time of day.
    """
    tz = ZoneInfo(tz_name)
    if mode == FROM_COMPLETION:
        if completed_at is None:
            return None
        count = count_of(rule)
        if count is not None and index + 1 >= count:
            return None
        due_wall = to_local(due_at, tz)
        start = datetime.combine(to_local(completed_at, tz).date(), due_wall.time())
        # the rule's own COUNT would restart with every completion: the series' index counts instead
        body = _COUNT.sub("", _rule_body(rule)).strip(";")
        after = parse_rule(body, start, tz).after(start, inc=False)
    else:
        anchor_wall = to_local(anchor_at, tz)
        after = parse_rule(rule, anchor_wall, tz).after(to_local(due_at, tz), inc=False)
    return None if after is None else to_instant(after, tz)


# yearly occasions --------------------------------------------------------------------------------
def yearly_rule(first: date) -> rrule:
    """Every year on the same day; a 29 February comes on the 28th in years without one."""
    start = datetime.combine(first, time())
    if (first.month, first.day) == (2, 29):
        return rrule(YEARLY, dtstart=start, bymonth=2, bymonthday=(28, 29), bysetpos=-1)
    return rrule(YEARLY, dtstart=start)


def occasion_on_or_after(first: date, day: date) -> date:
    """The date a yearly occasion first given as `first` falls on, `day` or later."""
    if day <= first:
        return first
    return yearly_rule(first).after(datetime.combine(day, time()), inc=True).date()


def occasion_after(first: date, day: date) -> date:
    return occasion_on_or_after(first, day + timedelta(days=1))


def local_today(now: datetime, tz_name: str) -> date:
    return now.astimezone(ZoneInfo(tz_name)).date()


def day_ends_at(day: date, tz_name: str) -> datetime:
    """The instant the household's `day` is over (its next midnight, in UTC)."""
    tz = ZoneInfo(tz_name)
    return to_instant(datetime.combine(day + timedelta(days=1), time()), tz)
