"""The occasion wrap-up's pure rules: which day of an occasion is the last one over, the instant a
yearly occasion's day ends where the household lives (what is claimed after it is for next year), the
day a gift handed over belongs to, which reveals are due with the household's setting, and a gift for
several people kept from each of them."""

import datetime as dt
import uuid
import zoneinfo
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from services.gateway.surprise import GIVEN, RecordFacts, View, Viewer, record_hidden, record_view
from services.gateway.use_cases.occasions import (
    in_year,
    last_occurrence,
    nearest_occurrence,
    next_occurrence,
)
from services.gateway.use_cases.wrap_up import (
    day_over_at,
    due_reveals,
    passed_occurrence,
)

dates = st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31))
todays = st.dates(dt.date(1901, 1, 1), dt.date(2199, 12, 31))
zones = st.sampled_from(
    sorted(
        {
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "America/Santiago",  # changes its clocks at midnight: a day may start at 01:00
            "Pacific/Auckland",
            "Pacific/Kiritimati",  # UTC+14
            "Pacific/Pago_Pago",  # UTC-11
            "Asia/Kolkata",
            "Australia/Lord_Howe",  # a half-hour daylight saving
        }
    )
)
OCCASION = uuid.UUID(int=1)


@given(first=dates, today=todays)
def test_a_yearly_occasions_last_day_over_is_one_of_its_days_before_today_with_none_between(
    first, today
):
    last = last_occurrence(first, True, today)
    if first >= today:
        assert last is None  # it has not come yet
        return
    assert last is not None and first <= last < today
    assert last == in_year(first, last.year)  # one of its days: the same date, or 28 Feb for 29 Feb
    # no day of it between that one and today: the next one from the day after is today or later
    following = next_occurrence(first, True, last + dt.timedelta(days=1))
    assert following is not None and following >= today


@given(first=dates, today=todays)
def test_a_one_off_occasion_is_over_once_its_day_has_passed(first, today):
    assert last_occurrence(first, False, today) == (first if first < today else None)


def test_a_leap_day_occasion_is_over_on_the_28th_in_other_years():
    assert last_occurrence(dt.date(2000, 2, 29), True, dt.date(2027, 3, 1)) == dt.date(2027, 2, 28)
    assert last_occurrence(dt.date(2000, 2, 29), True, dt.date(2028, 3, 1)) == dt.date(2028, 2, 29)
    # on the 28th itself the day is not over yet: last year's is the last
    assert last_occurrence(dt.date(2000, 2, 29), True, dt.date(2027, 2, 28)) == dt.date(2026, 2, 28)


@given(first=dates, today=todays, zone=zones)
def test_a_yearly_occasion_counts_what_came_until_its_day_was_over_where_the_household_lives(
    first, today, zone
):
    passed = passed_occurrence(OCCASION, first, True, today, zone)
    if passed is None:
        assert first >= today
        return
    assert passed.counts_until is not None
    # the instant it ends is the household's next midnight: a moment before is still that day there
    tz = zoneinfo.ZoneInfo(zone)
    assert (passed.counts_until - dt.timedelta(microseconds=1)).astimezone(tz).date() <= (
        passed.occurs_on
    )
    assert passed.counts_until.astimezone(tz).date() == passed.occurs_on + dt.timedelta(days=1)
    assert passed.counts_until == day_over_at(passed.occurs_on, zone)


@given(first=dates, today=todays, zone=zones)
def test_a_one_off_occasion_counts_whatever_was_claimed_whenever(first, today, zone):
    passed = passed_occurrence(OCCASION, first, False, today, zone)
    assert passed is None if first >= today else passed is not None
    if passed is not None:
        assert (passed.occurs_on, passed.counts_until) == (first, None)


@given(first=dates, today=todays, yearly=st.booleans())
def test_a_gift_handed_over_belongs_to_the_occasions_nearest_day(first, today, yearly):
    nearest = nearest_occurrence(first, yearly, today)
    days = [
        d
        for d in (last_occurrence(first, yearly, today), next_occurrence(first, yearly, today))
        if d
    ]
    assert nearest in days or (not days and nearest == first)
    assert all(abs((nearest - today).days) <= abs((d - today).days) for d in days)


def test_a_gift_handed_over_on_boxing_day_is_for_christmas_just_past():
    christmas = dt.date(2020, 12, 25)
    assert nearest_occurrence(christmas, True, dt.date(2026, 12, 26)) == dt.date(2026, 12, 25)
    assert nearest_occurrence(christmas, True, dt.date(2026, 12, 20)) == dt.date(2026, 12, 25)
    assert nearest_occurrence(christmas, True, dt.date(2027, 1, 2)) == dt.date(2026, 12, 25)
    assert nearest_occurrence(dt.date(2026, 5, 1), False, dt.date(2026, 12, 26)) == dt.date(
        2026, 5, 1
    )


def _records(*days: dt.date) -> list[SimpleNamespace]:
    return [SimpleNamespace(occurs_on=d) for d in days]


@given(occurs_on=dates, today=todays, after=st.integers(1, 365))
def test_a_reveal_is_due_from_the_day_the_setting_names(occurs_on, today, after):
    [record] = _records(occurs_on)
    assert due_reveals("at_occasion", after, today, [record]) == (
        [record] if today >= occurs_on else []
    )
    assert due_reveals("after_days", after, today, [record]) == (
        [record] if (today - occurs_on).days >= after else []
    )
    assert due_reveals("never", after, today, [record]) == []


people = st.sets(st.integers(1, 6).map(lambda n: uuid.UUID(int=n)), min_size=1, max_size=3)


@given(
    recipients=people,
    linked=people,
    today=todays,
    occurs_on=todays,
    after=st.none() | st.integers(0, 30),
)
def test_a_gift_for_several_people_is_a_surprise_for_each_of_them_until_the_reveal(
    recipients, linked, today, occurs_on, after
):
    """A board game for two is recorded for each: a member linked to either sees neither record before
    the reveal, both after; an event about either is kept from both, whoever is linked later."""
    reveal = None if after is None else occurs_on + dt.timedelta(days=after)
    viewer = Viewer(uuid.UUID(int=99), person_ids=frozenset(linked))
    for recipient in recipients:
        facts = RecordFacts(
            source=GIVEN,
            recipient_person_id=recipient,
            reveals_on=reveal,
            also_for=frozenset(recipients - {recipient}),
        )
        view = record_view(viewer, facts, today)
        if recipients & linked:
            assert view is (View.FULL if reveal is not None and today >= reveal else View.HIDDEN)
        else:
            assert view is View.FULL
        kept = record_hidden([viewer], facts)
        assert set(kept.persons) == recipients
        assert (viewer.user_id in kept.users) == bool(recipients & linked)
