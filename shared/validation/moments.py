"""Times and dates the system takes in: within one calendar every service can compute in.

An instant is accepted from 1900-01-01 up to (not including) 2200-01-01, UTC, and only with a UTC
offset. The bounds are wide for a family (a grandparent's birthday, a task due next century) and
leave room on both sides: a reminder counted back a year, a recurrence's next date, a local wall time
in any zone (UTC-12 to UTC+14) all stay far inside what Python's datetime (years 1 to 9999) and
PostgreSQL hold. Without them `9999-12-31T23:59:59-14:00` passes as a valid time and fails later,
in a database or in a consumer. A date (an occasion's day) keeps to the same years.
"""

import zoneinfo
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, StringConstraints

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # excluded
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)

RANGE = "between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z"


def check_moment(value: datetime) -> datetime:
    """An aware datetime within the calendar; ValueError says which bound it crosses."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a UTC offset or Z, e.g. 2026-12-24T18:00:00+01:00")
    try:
        instant = value.astimezone(UTC)
    except OverflowError:  # its UTC time falls off Python's calendar (year 0 or 10000)
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise ValueError(f"must be {RANGE}")
    return value


def check_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return value


@cache
def timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})


def check_timezone(name: str) -> str:
    if name not in timezones():
        raise ValueError(f"{name!r} is not an IANA time zone name (like 'Europe/Berlin' or 'UTC')")
    return name


Moment = Annotated[AwareDatetime, AfterValidator(check_moment)]
"""An instant with a UTC offset, within the calendar (see the module)."""
CalendarDate = Annotated[date, AfterValidator(check_day)]
TimeZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(check_timezone)]
