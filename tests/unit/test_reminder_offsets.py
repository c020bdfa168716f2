"""Reminder offsets: ISO 8601 durations before the due time, counted in the household's wall time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.reminder.schedule import desired, occasion_on_or_after, remind_at
from shared.validation import parse_offset

BERLIN = "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("P1D", "P1D"),
        ("PT2H", "PT2H"),
        ("P1W", "P7D"),
        ("P7D", "P7D"),
        ("PT90M", "PT1H30M"),
        ("P1DT12H", "P1DT12H"),
        ("p2d", "P2D"),
        ("PT0S", "PT0S"),
        ("P1M", "P1M"),
        ("P1Y", "P1Y"),
    ],
)
def test_offsets_are_read_and_spelled_one_way(text, canonical):
    assert parse_offset(text).iso() == canonical


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "1D", "P1.5D", "P-1D", "PT1D", "P1H", "P1DT", "D1P", "P 1D", "two days"]
)
def test_what_is_not_a_whole_iso_duration_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        parse_offset(text)


def test_a_day_before_is_the_same_wall_time_the_day_before_across_the_spring_change():
    # Berlin moves to summer time on 2026-03-29 at 02:00: that day has 23 hours
    due = datetime(2026, 3, 29, 9, 0, tzinfo=ZoneInfo(BERLIN))
    at = remind_at(due, "P1D", BERLIN)
    assert at.astimezone(ZoneInfo(BERLIN)).replace(tzinfo=None) == datetime(2026, 3, 28, 9, 0)
    assert (due.astimezone(UTC) - at).total_seconds() == 23 * 3600


def test_hours_before_are_exact_durations_across_the_autumn_change():
    # 2026-10-25 03:00 summer time becomes 02:00 winter time in Berlin
    due = datetime(2026, 10, 25, 3, 30, tzinfo=ZoneInfo(BERLIN))
    at = remind_at(due, "PT2H", BERLIN)
    assert (due.astimezone(UTC) - at).total_seconds() == 2 * 3600
    assert at.astimezone(ZoneInfo(BERLIN)).replace(tzinfo=None) == datetime(2026, 10, 25, 2, 30)


def test_a_month_before_the_31st_is_the_last_day_of_the_shorter_month():
    due = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
    assert remind_at(due, "P1M", "UTC") == datetime(2026, 2, 28, 18, 0, tzinfo=UTC)


def test_reminders_already_past_when_the_task_was_set_are_skipped_not_fired():
    due = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)
    set_at = datetime(2026, 5, 2, 0, 0, tzinfo=UTC)
    assert desired(due, ("P1D", "PT2H", "PT2H"), "UTC", set_at) == {
        "PT2H": datetime(2026, 5, 2, 10, 0, tzinfo=UTC)
    }


def test_a_reminder_that_would_fall_before_the_calendar_begins_is_skipped_not_an_error():
    # an occasion on the calendar's first days, as a stale or fuzzed event could carry: a poison
    # event for the whole consumer if the arithmetic raised
    due = datetime(1, 1, 5, 9, 0, tzinfo=UTC)
    assert desired(due, ("P14D", "P1D"), "UTC", datetime(1, 1, 1, tzinfo=UTC)) == {
        "P1D": datetime(1, 1, 4, 9, 0, tzinfo=UTC)
    }


def test_equal_offsets_spelled_differently_schedule_one_reminder():
    due = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
    assert list(desired(due, ("P1W", "P7D"), "UTC", datetime(2026, 5, 1, tzinfo=UTC))) == ["P7D"]


@pytest.mark.parametrize(
    ("first", "day", "expected"),
    [
        ("1960-03-12", "2026-01-01", "2026-03-12"),
        ("1960-03-12", "2026-03-12", "2026-03-12"),
        ("1960-03-12", "2026-03-13", "2027-03-12"),
        ("2030-07-01", "2026-01-01", "2030-07-01"),  # not yet the first time
        ("2000-02-29", "2026-01-01", "2026-02-28"),  # a leap-day birthday in a year without one
        ("2000-02-29", "2028-01-01", "2028-02-29"),
    ],
)
def test_yearly_occasions_fall_on_their_day_or_the_28th_for_leap_days(first, day, expected):
    from datetime import date

    assert occasion_on_or_after(
        date.fromisoformat(first), date.fromisoformat(day)
    ) == date.fromisoformat(expected)
