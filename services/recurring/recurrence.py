"""When the next occurrence of a recurring task or yearly occasion falls, by dateutil's rrule.

Everything is computed in the household's wall time: a task due at 09:00 every day stays at 09:00
across daylight-saving changes. A naive local time is turned into an instant only at the end; a wall
time that does not exist (the hour skipped in spring) moves forward, one that happens twice (the hour
repeated in autumn) is the first of the two.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import YEARLY, rrule

from shared.validation import LATEST
from shared.validation.rrules import (
    CONSUMER_DEADLINE_S,
    FROM_COMPLETION,
    FROM_DUE,
    check_rule,
    next_after,
    rrule_of,
    to_instant,
    to_local,
)

_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)", re.IGNORECASE)


def parse_rule(rule: str, dtstart: datetime, tz: ZoneInfo, mode: str = FROM_DUE) -> rrule:
    """The rule anchored at `dtstart` (a wall time), read by the shared validation (the gateway's);
    a ValueError (RuleRefused) when it is not one we take."""
    return rrule_of(check_rule(rule, dtstart, mode).body, dtstart, tz)


def count_of(rule: str) -> int | None:
    match = _COUNT.search(rule)
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
    or None when the series has ended. CPU work, bounded by a deadline (RuleTooComplex past it): call
    it in a worker thread.

    from_due: the rule runs from the series' anchor (its first due time), so COUNT and UNTIL count
    from there and the next task falls on the rule's next date, however late the last one was done.
    from_completion: the rule runs from the day the task was done, at the due time of day.
    """
    tz = ZoneInfo(tz_name)
    if mode == FROM_COMPLETION:
        if completed_at is None:
            return None
        start = datetime.combine(to_local(completed_at, tz).date(), to_local(due_at, tz).time())
        body = check_rule(rule, start, mode).body
        count = count_of(body)
        if count is not None and index + 1 >= count:
            return None
        # the rule's own COUNT would restart with every completion: the series' index counts instead
        after = next_after(
            rrule_of(_COUNT.sub("", body).strip(";"), start, tz), start, CONSUMER_DEADLINE_S
        )
    else:
        anchor_wall = to_local(anchor_at, tz)
        after = next_after(
            parse_rule(rule, anchor_wall, tz), to_local(due_at, tz), CONSUMER_DEADLINE_S
        )
    if after is None:
        return None
    following = to_instant(after, tz)
    return following if following < LATEST else None  # the series ends with the calendar


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
