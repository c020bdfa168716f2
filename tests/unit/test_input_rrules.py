"""Recurrence rules as the API takes them: what can never repeat is refused as it is read, the rest is
expanded with a deadline, and whatever is accepted the recurring service can work out."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.recurring.recurrence import FROM_COMPLETION, FROM_DUE, next_due
from shared.events.tasks import TaskCreated
from shared.validation import LATEST
from shared.validation.rrules import RuleRefused, RuleTooComplex, check_repeats, next_after

DUE = datetime(
    2026, 1, 30, 9, 0, tzinfo=UTC
)  # a Friday, the 30th: what a rule leaves to it is the 30th


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL takes whole numbers from 1 to 999"),
        ("FREQ=DAILY;INTERVAL=-1", "INTERVAL"),
        ("FREQ=WEEKLY;INTERVAL=1000", "INTERVAL"),
        ("FREQ=WEEKLY;INTERVAL=2,3", "INTERVAL takes one whole number"),
        ("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "more often than once a day"),
        ("FREQ=MINUTELY", "more often than once a day"),
        ("FREQ=HOURLY;INTERVAL=8", "more often than once a day"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never has BYMONTHDAY=30"),
        ("FREQ=YEARLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", "never has"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=-30", "never has"),
        ("FREQ=YEARLY;BYMONTH=2", "never has the due day (30)"),
        ("FREQ=MONTHLY;BYMONTH=2", "never has the due day (30)"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=2,4", "never lands on BYMONTH"),
        ("FREQ=DAILY;BYHOUR=9,18", "due time of day"),
        ("FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO is not taken"),
        ("FREQ=DAILY;COUNT=5;UNTIL=20270101", "COUNT or UNTIL"),
        ("FREQ=DAILY;COUNT=1001", "COUNT"),
        ("FREQ=DAILY;UNTIL=99991231T235959Z", "UNTIL must be between 1900 and 2199"),
        ("FREQ=DAILY;UNTIL=20271331", "UNTIL is a date"),
        ("FREQ=DAILY;BYSETPOS=2;BYDAY=MO", "FREQ=DAILY does not take it"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=3", "beyond the 1 dates"),
        ("FREQ=MONTHLY;BYDAY=6MO", "positions go from 1 to 5"),
        ("FREQ=WEEKLY;BYDAY=1MO", "need FREQ=MONTHLY or YEARLY"),
        ("FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1", "leave out BYMONTHDAY"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "use FREQ=WEEKLY"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "does not go with FREQ=WEEKLY"),
        ("FREQ=DAILY;FREQ=WEEKLY", "given twice"),
        ("FREQ=DAILY;NONSENSE", "NAME=VALUE"),
        ("FREQ=DAILY\x00", "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY", "one RRULE"),
        ("FREQ=DAILY;UNTIL=20250101", "never repeats"),
    ],
)
def test_a_rule_that_cannot_be_repeated_by_is_refused_with_a_reason(rule, says):
    with pytest.raises(RuleRefused, match=says.replace("(", r"\(").replace(")", r"\)")):
        check_repeats(rule, DUE, "Europe/Berlin")


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "RRULE:FREQ=WEEKLY;BYDAY=SA",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6",
        "FREQ=MONTHLY;BYDAY=2TU",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
        "FREQ=YEARLY",
        "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=DAILY;BYMONTH=12;UNTIL=20301224T230000Z",
        "freq=monthly;interval=6",
        "FREQ=MONTHLY;INTERVAL=12;BYMONTH=1",
    ],
)
def test_the_rules_a_family_uses_are_taken(rule):
    assert check_repeats(rule, DUE, "Europe/Berlin") == rule.removeprefix("RRULE:")


def test_a_day_named_in_the_rule_is_not_looked_for_in_the_due_dates_month_alone():
    in_february = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    assert check_repeats(
        "FREQ=YEARLY;BYMONTHDAY=31", in_february, "UTC"
    )  # every 31st there is, each year


def test_a_from_completion_rule_must_work_from_whatever_day_the_task_is_done():
    due = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    assert check_repeats("FREQ=MONTHLY;BYMONTH=2", due, "UTC", FROM_DUE)  # the 10th: every February
    with pytest.raises(RuleRefused, match="done on the 31st"):
        check_repeats("FREQ=MONTHLY;BYMONTH=2", due, "UTC", FROM_COMPLETION)


def test_a_rule_that_passes_its_reading_but_never_matches_is_refused_by_expanding_it():
    # a Monday among the 1st to the 3rd happens once a month at most: no second one, ever
    with pytest.raises(RuleRefused):
        check_repeats("FREQ=MONTHLY;BYMONTHDAY=1,2,3;BYDAY=MO;BYSETPOS=2", DUE, "UTC")


def test_expanding_stops_at_its_deadline_however_long_dateutil_would_search():
    # INTERVAL=0 never advances: dateutil would search for ever (what took a gateway worker down)
    endless = rrulestr("FREQ=DAILY;INTERVAL=0", dtstart=datetime(2026, 1, 1))
    with pytest.raises(RuleTooComplex, match="too complex"):
        next_after(endless, datetime(2026, 1, 1), deadline_s=0.05)


def test_a_task_due_at_the_end_of_the_calendar_does_not_repeat_past_it():
    # the last day of the calendar, in the zone furthest ahead: the next day is past it
    due = datetime(2199, 12, 31, 9, 0, tzinfo=UTC)
    with pytest.raises(RuleRefused, match="never repeats"):
        check_repeats("FREQ=DAILY", due, "Pacific/Kiritimati")
    assert next_due("FREQ=DAILY", FROM_DUE, "Pacific/Kiritimati", due, due, 0) is None


# properties ----------------------------------------------------------------------------------------
FREQS = st.sampled_from(
    ["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "SECONDLY", "FORTNIGHTLY"]
)
SMALL = st.integers(min_value=-40, max_value=400)


def _list(values) -> st.SearchStrategy[str]:
    return st.lists(values, min_size=1, max_size=4).map(lambda xs: ",".join(map(str, xs)))


DAYS = st.builds(
    lambda n, d: f"{n if n else ''}{d}",
    st.sampled_from([None, 1, 2, -1, 5, 6, 53, 0]),
    st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX"]),
)
PARTS = st.fixed_dictionaries(
    {},
    optional={
        "INTERVAL": st.integers(min_value=-1, max_value=1200).map(str),
        "COUNT": st.integers(min_value=0, max_value=1200).map(str),
        "UNTIL": st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2300, 1, 1)).map(
            lambda d: f"{d:%Y%m%dT%H%M%S}Z"
        ),
        "BYMONTH": _list(st.integers(min_value=0, max_value=13)),
        "BYMONTHDAY": _list(SMALL.filter(lambda n: -33 < n < 33)),
        "BYDAY": _list(DAYS),
        "BYSETPOS": _list(SMALL),
        "WKST": st.sampled_from(["MO", "SU", "XX"]),
        "BYHOUR": st.just("9"),
    },
)
RULES = st.builds(
    lambda freq, parts: ";".join([f"FREQ={freq}", *(f"{k}={v}" for k, v in parts.items())]),
    FREQS,
    PARTS,
) | st.text(max_size=60)
DUES = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
)
ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
    ]
)
MODES = st.sampled_from([FROM_DUE, FROM_COMPLETION])
CHECKED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CHECKED
@given(
    rule=RULES,
    due=DUES,
    zone=ZONES,
    mode=MODES,
    done_after=st.integers(min_value=0, max_value=4000),
)
def test_any_rule_is_taken_or_refused_and_what_is_taken_the_recurring_service_can_expand(
    rule, due, zone, mode, done_after
):
    try:
        body = check_repeats(rule, due, zone, mode)
    except RuleRefused as refused:
        assert str(refused)  # a reason a person can act on
        return
    # the event that carries it passes the same reading in every consumer
    TaskCreated(
        household_id=uuid.uuid4(),
        task_id=uuid.uuid4(),
        revision=1,
        title="t",
        status="open",
        due_at=due,
        timezone=zone,
        rrule=body,
        recurrence_mode=mode,
        series_id=uuid.uuid4(),
    )
    done = min(due + timedelta(days=done_after), LATEST - timedelta(days=2))
    following = next_due(body, mode, zone, due, due, 0, done)
    assert following is None or following < LATEST
    if mode == FROM_DUE:
        assert following is None or following > due
