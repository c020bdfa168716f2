"""ISO 8601 durations as the API takes them (reminder offsets, snoozes): whole units up to a year, and
whatever is taken the reminder service can count back from any due time, in any zone."""

from datetime import UTC

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from services.reminder.schedule import desired, remind_at
from shared.validation import EARLIEST, LATEST, Duration, PositiveDuration, parse_offset
from shared.validation.moments import timezones

DURATION = TypeAdapter(Duration)


@pytest.mark.parametrize(
    "text",
    [
        "P9000Y",
        "P9999999Y",
        "PT99999999999999999999S",
        "P2Y",
        "P13M",
        "P367D",
        "P53W",
        "PT8785H",
        "P1Y2D",
    ],
)
def test_a_duration_longer_than_a_year_is_refused_saying_so(text):
    with pytest.raises(ValueError, match="longer than a year"):
        parse_offset(text)


@pytest.mark.parametrize("text", ["P1Y", "P12M", "P52W", "P366D", "PT8784H", "P1Y1D", "PT0S"])
def test_a_year_in_any_spelling_is_taken(text):
    assert parse_offset(text).nominal_seconds() <= 366 * 86400


def test_a_duration_is_taken_in_its_canonical_spelling_and_a_snooze_must_last():
    assert DURATION.validate_python("p1w") == "P7D"
    with pytest.raises(ValidationError, match="longer than nothing"):
        TypeAdapter(PositiveDuration).validate_python("PT0S")
    with pytest.raises(ValidationError, match="at most 64 characters"):
        DURATION.validate_python("P" + "1" * 100 + "D")


ZONES = st.sampled_from(sorted(timezones()))
DUES = st.datetimes(
    min_value=EARLIEST.replace(tzinfo=None),
    max_value=LATEST.replace(tzinfo=None),
    timezones=st.just(UTC),
).filter(lambda d: d < LATEST)
ISO = st.builds(
    lambda parts, clock: (
        "P"
        + "".join(f"{n}{u}" for n, u in parts)
        + ("T" + "".join(f"{n}{u}" for n, u in clock) if clock else "")
    ),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from("YMWD")),
        max_size=3,
        unique_by=lambda p: p[1],
    ),
    st.lists(
        st.tuples(st.integers(0, 10**12), st.sampled_from("HMS")),
        max_size=3,
        unique_by=lambda p: p[1],
    ),
)


@settings(max_examples=300, deadline=None)
@given(text=ISO | st.text(max_size=30), due=DUES, zone=ZONES)
def test_any_text_is_a_duration_or_a_clear_refusal_and_every_duration_taken_can_be_counted_back(
    text, due, zone
):
    try:
        offset = parse_offset(text)
    except ValueError as refused:
        assert "ISO 8601 duration" in str(refused) or "longer than a year" in str(refused)
        return
    at = remind_at(
        due, offset, zone
    )  # never an OverflowError, a missing zone or a date off the calendar
    assert at.tzinfo is not None
    assert desired(due, (offset.iso(),), zone, not_before=at) == {offset.iso(): at}
