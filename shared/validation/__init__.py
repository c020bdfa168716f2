"""What the system takes in, read one way by whoever takes it: the gateway's request models and query
parameters, the event contracts every consumer parses, and the consumers' own arithmetic.

The rule behind it: what a consumer could never handle is refused at the API, as a 422 a person can
act on, by the same check the consumer applies; an event that fails it anyway is a poison event,
dead-lettered at once (see shared.consumer).
"""

from shared.validation.durations import Duration, Offset, PositiveDuration, parse_offset
from shared.validation.moments import (
    EARLIEST,
    LATEST,
    CalendarDate,
    Moment,
    TimeZoneName,
    check_timezone,
)
from shared.validation.text import FreeText, Line, OneLine, Storable

__all__ = [
    "EARLIEST",
    "LATEST",
    "CalendarDate",
    "Duration",
    "FreeText",
    "Line",
    "Moment",
    "Offset",
    "OneLine",
    "PositiveDuration",
    "Storable",
    "TimeZoneName",
    "check_timezone",
    "parse_offset",
]
