"""ISO 8601 durations: how long before a due time a reminder goes off (`P1D`, `PT2H`, `P1W`), or how
long a reminder is snoozed for. `parse_offset` is the one reading of that format, shared by whoever
writes and whoever reads them.

Whole units only (a reminder "1.5 days before" is written P1DT12H), and at most a year (P1Y, P12M,
P52W, P366D, PT8784H all fit): a family is reminded days or weeks ahead, and a bound keeps every
reminder time computable, in any zone, from any due time within the calendar (`moments`). Without it
`P9000Y` reads as a valid duration and then fails in the reminder service.
"""

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

MAX_DAYS = 366  # a duration's nominal length (a year as 365 days, a month as 30) is at most this
_UNITS = r"(\d+)"
_DURATION = re.compile(
    rf"P(?!$)(?:{_UNITS}Y)?(?:{_UNITS}M)?(?:{_UNITS}W)?(?:{_UNITS}D)?"
    rf"(?:T(?=\d)(?:{_UNITS}H)?(?:{_UNITS}M)?(?:{_UNITS}S)?)?"
)
_FIELDS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_NOMINAL_S = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


@dataclass(frozen=True)
class Offset:
    """How long before a due time: calendar parts (in the household's wall time) and clock parts."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    def nominal_seconds(self) -> int:
        return sum(getattr(self, f) * s for f, s in zip(_FIELDS, _NOMINAL_S, strict=True))

    def iso(self) -> str:
        """The canonical spelling, so that `P7D` and `P1W` are not both scheduled."""
        days = self.weeks * 7 + self.days
        seconds = self.hours * 3600 + self.minutes * 60 + self.seconds
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        date_part = "".join(
            f"{n}{u}" for n, u in ((self.years, "Y"), (self.months, "M"), (days, "D")) if n
        )
        time_part = "".join(
            f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n
        )
        if not date_part and not time_part:
            return "PT0S"
        return f"P{date_part}" + (f"T{time_part}" if time_part else "")


def parse_offset(text: str) -> Offset:
    """An ISO 8601 duration such as `P1D`, `PT2H` or `P1W`, at most a year; ValueError says what is wrong."""
    match = (
        _DURATION.fullmatch(text.strip().upper())
        if isinstance(text, str) and len(text) <= 64
        else None
    )
    if match is None:
        raise ValueError(
            f"{text!r:.40} is not an ISO 8601 duration in whole units, like P1D (a day), PT2H (two hours) or P1W"
        )
    offset = Offset(
        **{k: int(v) for k, v in zip(_FIELDS, match.groups(), strict=True) if v is not None}
    )
    if offset.nominal_seconds() > MAX_DAYS * 86400:
        raise ValueError(
            f"{text.strip()!r:.40} is longer than a year; at most P1Y (or P12M, P52W, P366D)"
        )
    return offset


def _canonical(text: str) -> str:
    return parse_offset(text).iso()


def _positive(text: str) -> str:
    if parse_offset(text).nominal_seconds() == 0:
        raise ValueError("must be longer than nothing, e.g. PT15M")
    return text


Duration = Annotated[str, StringConstraints(max_length=64), AfterValidator(_canonical)]
"""An ISO 8601 duration of whole units up to a year, in its canonical spelling (`P1W` becomes `P7D`)."""
PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
