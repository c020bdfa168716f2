"""When a reminder fires: pure arithmetic on due times, offsets and the household's wall time.

Calendar parts of an offset (days, weeks, months, years) are taken in wall time, so "P1D" before a
09:00 task is 09:00 the day before even across a daylight-saving change; clock parts (hours, minutes,
seconds) are exact durations.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import YEARLY, rrule

from shared.validation import Offset, parse_offset


def remind_at(due_at: datetime, offset: Offset | str, tz_name: str) -> datetime:
    offset = parse_offset(offset) if isinstance(offset, str) else offset
    tz = ZoneInfo(tz_name)
    wall = due_at.astimezone(tz).replace(tzinfo=None)
    wall -= relativedelta(
        years=offset.years, months=offset.months, weeks=offset.weeks, days=offset.days
    )
    # to UTC before subtracting: arithmetic on a zoned datetime is wall-clock arithmetic in Python
    instant = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    return instant - timedelta(hours=offset.hours, minutes=offset.minutes, seconds=offset.seconds)


def occasion_moment(day: date, at: time, tz_name: str) -> datetime:
    """The instant an occasion's reminders count back from: `at` o'clock on its day, at home."""
    return datetime.combine(day, at).replace(tzinfo=ZoneInfo(tz_name), fold=0)


def desired(
    due: datetime, offsets: tuple[str, ...], tz_name: str, not_before: datetime
) -> dict[str, datetime]:
    """offset -> remind_at for each reminder still worth scheduling.

    A reminder already past when the due time was set (`not_before`: when the change was made) is
    skipped, not fired at once; one that came due after the change fires even if late (catch-up).
    """
    wanted = {}
    for text in offsets:
        offset = parse_offset(text)
        try:
            at = remind_at(due, offset, tz_name)
        except OverflowError:  # counting back ran off the calendar: long past, never to fire
            continue
        if at >= not_before:
            wanted[offset.iso()] = at
    return wanted


def local_today(now: datetime, tz_name: str) -> date:
    return now.astimezone(ZoneInfo(tz_name)).date()


def occasion_on_or_after(first: date, day: date) -> date:
    """The date a yearly occasion first given as `first` falls on, `day` or later; a 29 February comes
    on the 28th in years without one."""
    if day <= first:
        return first
    start = datetime.combine(first, time())
    if (first.month, first.day) == (2, 29):
        rule = rrule(YEARLY, dtstart=start, bymonth=2, bymonthday=(28, 29), bysetpos=-1)
    else:
        rule = rrule(YEARLY, dtstart=start)
    return rule.after(datetime.combine(day, time()), inc=True).date()
