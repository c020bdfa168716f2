"""When a member's digests fall due: pure rules over the member's digest time and the household's zone.

A member has one digest time (an hour, and a weekday for the weekly digest), read in the household's
time zone. A digest's period is named by the local date of its moment, so every replica, and every
retry after a crash, names the same period the same way: that name is the mail's dedup key.

A digest falls due at its moment and stays due for `catch_up` (a service down over the moment still
sends it when it comes back; a Monday digest is not sent on Thursday). A moment before the member could
have had it (they joined after it; or, once they chose a time, it was before the hour they chose it
in) is not due: the next one is theirs.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class DigestTime:
    hour: int = 7
    weekday: int = 0  # Monday, as `date.weekday()` counts


DEFAULT_TIME = DigestTime()


def zone_of(timezone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), zone)


def last_moment(digest: str, when: DigestTime, now: datetime, timezone: str | None) -> datetime:
    """The latest moment at or before `now` when the member's `digest` (daily, weekly) was due."""
    zone = zone_of(timezone)
    day = now.astimezone(zone).date()
    step = timedelta(days=1)
    if digest == "weekly":
        day -= timedelta(days=(day.weekday() - when.weekday) % 7)
        step = timedelta(days=7)
    moment = _at(day, when.hour, zone)
    return moment if moment <= now else _at(day - step, when.hour, zone)


def period_of(digest: str, moment: datetime, timezone: str | None) -> str:
    """The period a digest's moment names: `weekly:2026-12-07`, the local date it was due."""
    return f"{digest}:{moment.astimezone(zone_of(timezone)).date().isoformat()}"


def start_of_hour(moment: datetime, timezone: str | None) -> datetime:
    """The start of `moment`'s hour on the household's clock (half-hour zones included)."""
    local = moment.astimezone(zone_of(timezone))
    return local.replace(minute=0, second=0, microsecond=0)


def is_due(moment: datetime, now: datetime, since: datetime, catch_up: timedelta) -> bool:
    """Whether the digest of `moment` is still to be sent, for a member there since `since`."""
    return since <= moment <= now and now - moment <= catch_up
