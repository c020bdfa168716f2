"""Times, dates, zones and text as every service takes them: within one calendar, with an offset, in a
real zone, without control characters; whatever is taken can be computed with and stored."""

import zoneinfo
from datetime import UTC, date, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from shared.validation import EARLIEST, LATEST, CalendarDate, FreeText, Line, Moment, TimeZoneName
from shared.validation.moments import timezones

MOMENT, DAY, ZONE = TypeAdapter(Moment), TypeAdapter(CalendarDate), TypeAdapter(TimeZoneName)
LINE, TEXT = TypeAdapter(Line), TypeAdapter(FreeText)


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T20:00:00Z",
        "1899-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "2199-12-31T23:00:00-14:00",
    ],
)
def test_a_time_off_the_calendar_is_refused_saying_which_calendar(text):
    with pytest.raises(
        ValidationError, match="between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z"
    ):
        MOMENT.validate_python(text)


@pytest.mark.parametrize(
    "text",
    [
        "1900-01-01T00:00:00Z",
        "1900-01-01T05:00:00+05:00",
        "2199-12-31T23:59:59Z",
        "2199-12-31T23:59:59+14:00",
    ],
)
def test_the_calendars_edges_are_on_it(text):
    assert EARLIEST <= MOMENT.validate_python(text) < LATEST


def test_a_time_without_an_offset_is_refused():
    with pytest.raises(ValidationError, match="timezone"):
        MOMENT.validate_python("2026-12-24T18:00:00")


def test_dates_and_zones_keep_to_the_calendar_and_the_tz_database():
    assert DAY.validate_python("2199-12-31") == date(2199, 12, 31)
    for day in ("1899-12-31", "2200-01-01", "9999-12-31", "0001-01-01"):
        with pytest.raises(ValidationError, match="between 1900-01-01 and 2199-12-31"):
            DAY.validate_python(day)
    assert ZONE.validate_python("Pacific/Kiritimati") == "Pacific/Kiritimati"
    for name in ("Mars/Olympus_Mons", "localtime", "../../etc/passwd", "Europe/Berlin\x00"):
        with pytest.raises(ValidationError, match="IANA time zone"):
            ZONE.validate_python(name)


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31mred", "back\x08space", "del\x7f", "c1\x85"])
def test_control_characters_are_refused_in_names_and_notes(text):
    for adapter in (LINE, TEXT):
        with pytest.raises(ValidationError, match="control characters"):
            adapter.validate_python(text)


def test_notes_keep_line_breaks_and_tabs_that_names_refuse():
    assert TEXT.validate_python("line one\r\n\tline two") == "line one\r\n\tline two"
    with pytest.raises(ValidationError, match="nor line breaks"):
        LINE.validate_python("Ann\nSmith")
    with pytest.raises(ValidationError, match="valid Unicode"):
        LINE.validate_python("half a pair \ud83d")


# properties ----------------------------------------------------------------------------------------
OFFSETS = st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1).map(
    lambda m: timezone(timedelta(minutes=m))
)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(timezones=OFFSETS | st.just(UTC)), zone=st.sampled_from(sorted(timezones()))
)
def test_any_time_is_taken_or_refused_and_a_taken_one_has_a_wall_time_in_every_zone(moment, zone):
    try:
        taken = MOMENT.validate_python(moment)
    except ValidationError as refused:
        assert "between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z" in str(refused)
        return
    wall = taken.astimezone(zoneinfo.ZoneInfo(zone))
    assert 1899 <= wall.year <= 2200
    assert wall - timedelta(days=400) < wall + timedelta(
        days=400
    )  # a year either side is still computable


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_is_taken_or_refused_and_a_taken_one_can_be_stored(text):
    for adapter in (LINE, TEXT):
        try:
            taken = adapter.validate_python(text)
        except ValidationError as refused:
            assert "control characters" in str(refused) or "valid Unicode" in str(refused)
            continue
        assert "\x00" not in taken
        taken.encode("utf-8")  # what PostgreSQL stores
