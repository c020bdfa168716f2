"""The next occurrence of a recurring task, by dateutil's rrule in the household's wall time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.recurring.recurrence import (
    FROM_COMPLETION,
    FROM_DUE,
    next_due,
    occasion_after,
    parse_rule,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(*args, tz=BERLIN) -> datetime:
    return datetime(*args, tzinfo=tz)


def wall(instant: datetime, tz=BERLIN) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def test_daily_task_comes_back_the_next_day_at_the_same_time():
    due = local(2026, 6, 1, 9, 0)
    assert wall(next_due("FREQ=DAILY", FROM_DUE, "Europe/Berlin", due, due, 0)) == datetime(
        2026, 6, 2, 9, 0
    )


def test_daily_task_keeps_its_wall_time_over_the_spring_change():
    due = local(2026, 3, 28, 9, 0)  # the night after, Berlin skips 02:00-03:00
    nxt = next_due("FREQ=DAILY", FROM_DUE, "Europe/Berlin", due, due, 0)
    assert wall(nxt) == datetime(2026, 3, 29, 9, 0)
    assert (nxt - due.astimezone(UTC)).total_seconds() == 23 * 3600


def test_daily_task_keeps_its_wall_time_over_the_autumn_change_in_new_york():
    due = local(2026, 10, 31, 18, 30, tz=NEW_YORK)
    nxt = next_due("FREQ=DAILY", FROM_DUE, "America/New_York", due, due, 0)
    assert wall(nxt, NEW_YORK) == datetime(2026, 11, 1, 18, 30)
    assert (nxt - due.astimezone(UTC)).total_seconds() == 25 * 3600


def test_a_wall_time_skipped_by_the_spring_change_moves_forward():
    due = local(2026, 3, 28, 2, 30)
    nxt = next_due("FREQ=DAILY", FROM_DUE, "Europe/Berlin", due, due, 0)
    assert nxt == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 summer time


def test_a_wall_time_repeated_by_the_autumn_change_is_the_first_of_the_two():
    due = local(2026, 10, 24, 2, 30)
    nxt = next_due("FREQ=DAILY", FROM_DUE, "Europe/Berlin", due, due, 0)
    assert nxt == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time


def test_monthly_on_the_31st_skips_months_without_one():
    due = local(2026, 1, 31, 10, 0)
    nxt = next_due("FREQ=MONTHLY", FROM_DUE, "Europe/Berlin", due, due, 0)
    assert wall(nxt) == datetime(2026, 3, 31, 10, 0)


def test_last_day_of_every_month_with_bymonthday_minus_one():
    due = local(2026, 1, 31, 10, 0)
    nxt = next_due("FREQ=MONTHLY;BYMONTHDAY=-1", FROM_DUE, "Europe/Berlin", due, due, 0)
    assert wall(nxt) == datetime(2026, 2, 28, 10, 0)


def test_yearly_on_a_leap_day_waits_for_the_next_leap_year():
    due = local(2028, 2, 29, 8, 0)
    assert wall(next_due("FREQ=YEARLY", FROM_DUE, "Europe/Berlin", due, due, 0)) == datetime(
        2032, 2, 29, 8, 0
    )


def test_count_ends_the_series_counting_from_its_first_task():
    anchor = local(2026, 6, 1, 9, 0)
    rule = "FREQ=DAILY;COUNT=3"
    second = next_due(rule, FROM_DUE, "Europe/Berlin", anchor, anchor, 0)
    third = next_due(rule, FROM_DUE, "Europe/Berlin", anchor, second, 1)
    assert wall(third) == datetime(2026, 6, 3, 9, 0)
    assert next_due(rule, FROM_DUE, "Europe/Berlin", anchor, third, 2) is None


def test_until_in_utc_is_read_in_the_households_time_zone():
    anchor = local(2026, 6, 1, 9, 0)
    rule = "FREQ=DAILY;UNTIL=20260602T070000Z"  # 09:00 in Berlin: the 2nd is still included
    second = next_due(rule, FROM_DUE, "Europe/Berlin", anchor, anchor, 0)
    assert wall(second) == datetime(2026, 6, 2, 9, 0)
    assert next_due(rule, FROM_DUE, "Europe/Berlin", anchor, second, 1) is None


def test_until_as_a_date_includes_that_day():
    anchor = local(2026, 6, 1, 9, 0)
    second = next_due("FREQ=DAILY;UNTIL=20260602", FROM_DUE, "Europe/Berlin", anchor, anchor, 0)
    assert second is None or wall(second) <= datetime(2026, 6, 2, 23, 59)


def test_from_due_follows_the_rule_however_late_the_task_was_done():
    anchor = local(2026, 6, 1, 9, 0)  # a Monday
    done_late = local(2026, 6, 10, 20, 0)
    nxt = next_due("FREQ=WEEKLY;BYDAY=MO", FROM_DUE, "Europe/Berlin", anchor, anchor, 0, done_late)
    assert wall(nxt) == datetime(2026, 6, 8, 9, 0)


def test_from_completion_counts_from_the_day_it_was_done_at_the_due_time_of_day():
    anchor = local(2026, 6, 1, 9, 0)
    done_late = local(2026, 6, 10, 20, 0)
    nxt = next_due(
        "FREQ=DAILY;INTERVAL=3", FROM_COMPLETION, "Europe/Berlin", anchor, anchor, 0, done_late
    )
    assert wall(nxt) == datetime(2026, 6, 13, 9, 0)


def test_from_completion_counts_its_own_tasks_for_count():
    anchor = local(2026, 6, 1, 9, 0)
    done = local(2026, 6, 1, 10, 0)
    assert (
        next_due("FREQ=DAILY;COUNT=2", FROM_COMPLETION, "Europe/Berlin", anchor, anchor, 0, done)
        is not None
    )
    assert (
        next_due("FREQ=DAILY;COUNT=2", FROM_COMPLETION, "Europe/Berlin", anchor, anchor, 1, done)
        is None
    )


def test_from_completion_has_no_next_without_a_completion():
    due = local(2026, 6, 1, 9, 0)
    assert next_due("FREQ=DAILY", FROM_COMPLETION, "Europe/Berlin", due, due, 0, None) is None


def test_an_rrule_prefix_is_accepted():
    due = local(2026, 6, 1, 9, 0)
    assert wall(next_due("RRULE:FREQ=WEEKLY", FROM_DUE, "Europe/Berlin", due, due, 0)) == datetime(
        2026, 6, 8, 9, 0
    )


@pytest.mark.parametrize(
    "rule", ["FREQ=SOMETIMES", "FREQ=DAILY;BYDAY=XX", "NOT A RULE", "FREQ=DAILY;INTERVAL=zero"]
)
def test_invalid_rules_are_refused(rule):
    with pytest.raises(ValueError):
        parse_rule(rule, datetime(2026, 6, 1, 9, 0), BERLIN)


def test_a_yearly_leap_day_occasion_rolls_over_to_the_28th():
    assert occasion_after(date(2000, 2, 29), date(2028, 2, 29)) == date(2029, 2, 28)
    assert occasion_after(date(2000, 2, 29), date(2031, 2, 28)) == date(2032, 2, 29)
