"""Whose turn a rotating chore's next occurrence is (services/recurring/rotation.py), and when a chore
that repeats after it was done comes round again (services/recurring/recurrence.py)."""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from services.recurring.recurrence import next_due
from services.recurring.rotation import LEAST_DONE, ROUND_ROBIN, in_turn, next_assignee

MEMBERS = [uuid.UUID(int=n) for n in range(1, 9)]
ANN, BEN, CLEO, DAD = MEMBERS[:4]

rotations = st.lists(st.sampled_from(MEMBERS), min_size=1, max_size=6, unique=True)


def test_round_robin_hands_it_to_the_one_after_whoever_had_it():
    rotation = [ANN, BEN, CLEO]
    assert next_assignee(ROUND_ROBIN, rotation, set(), ANN, ANN, {}) == BEN
    assert next_assignee(ROUND_ROBIN, rotation, set(), CLEO, BEN, {}) == ANN


def test_a_turn_taken_by_someone_outside_the_rotation_goes_on_after_whoever_did_it():
    # it was given back and Ben did it: Cleo is next; Dad, not in it, took one: it starts over
    assert next_assignee(ROUND_ROBIN, [ANN, BEN, CLEO], set(), None, BEN, {}) == CLEO
    assert next_assignee(ROUND_ROBIN, [ANN, BEN, CLEO], set(), DAD, DAD, {}) == ANN


def test_a_member_who_left_is_passed_over_and_the_turn_moves_on_from_their_place():
    rotation = [ANN, BEN, CLEO]
    assert next_assignee(ROUND_ROBIN, rotation, {BEN}, ANN, ANN, {}) == CLEO
    assert next_assignee(ROUND_ROBIN, rotation, {BEN}, BEN, None, {}) == CLEO
    assert next_assignee(LEAST_DONE, rotation, {BEN}, ANN, ANN, {ANN: 3, CLEO: 5}) == ANN
    assert next_assignee(ROUND_ROBIN, rotation, set(rotation), ANN, ANN, {}) is None


def test_least_done_goes_to_whoever_has_done_it_least_and_ties_go_in_turn():
    rotation = [ANN, BEN, CLEO]
    assert next_assignee(LEAST_DONE, rotation, set(), ANN, ANN, {ANN: 2, BEN: 4, CLEO: 1}) == CLEO
    assert next_assignee(LEAST_DONE, rotation, set(), ANN, ANN, {ANN: 1, BEN: 1, CLEO: 1}) == BEN
    assert next_assignee(LEAST_DONE, rotation, set(), BEN, ANN, {ANN: 1}) == CLEO


@given(
    rotation=rotations,
    departed=st.sets(st.sampled_from(MEMBERS)),
    had_it=st.none() | st.sampled_from(MEMBERS),
    did_it=st.none() | st.sampled_from(MEMBERS),
    counts=st.dictionaries(st.sampled_from(MEMBERS), st.integers(0, 50)),
    mode=st.sampled_from([ROUND_ROBIN, LEAST_DONE]),
)
def test_the_pick_is_a_present_member_of_the_rotation_or_nobody_when_none_is_left(
    rotation, departed, had_it, did_it, counts, mode
):
    pick = next_assignee(mode, rotation, departed, had_it, did_it, counts)
    present = [m for m in rotation if m not in departed]
    assert (pick is None) == (not present)
    assert pick is None or pick in present
    if mode == LEAST_DONE and pick is not None:
        assert counts.get(pick, 0) == min(counts.get(m, 0) for m in present)
    assert sorted(in_turn(rotation, departed, had_it, did_it)) == sorted(present)


@given(rotation=rotations, rounds=st.integers(1, 5), first=st.integers(0, 5))
def test_round_robin_gives_everyone_the_same_number_of_turns_over_whole_rounds(
    rotation, rounds, first
):
    had_it = rotation[first % len(rotation)]
    turns = Counter()
    for _ in range(rounds * len(rotation)):
        had_it = next_assignee(ROUND_ROBIN, rotation, set(), had_it, had_it, {})
        turns[had_it] += 1
    assert turns == {m: rounds for m in rotation}


@given(
    rotation=rotations,
    helpers=st.lists(st.none() | st.sampled_from(MEMBERS), min_size=1, max_size=40),
    start=st.dictionaries(st.sampled_from(MEMBERS), st.integers(0, 3)),
)
def test_least_done_evens_out_who_has_done_it_whoever_stepped_in_before(rotation, helpers, start):
    """Whatever counts it starts from (others stepped in, some did more), once each does their own
    turn the one picked has always done it least, and the counts of the rotation end up at most one
    apart once the one who had done it most is caught up with."""
    counts = Counter(start)
    had_it = None
    for helper in helpers:  # a few occurrences done by whoever stepped in (or nobody)
        if helper is not None:
            counts[helper] += 1
    lead = max(counts.get(m, 0) for m in rotation)
    behind = sum(lead - counts.get(m, 0) for m in rotation)
    for _ in range(behind + 3 * len(rotation)):
        pick = next_assignee(LEAST_DONE, rotation, set(), had_it, had_it, counts)
        assert counts.get(pick, 0) == min(counts.get(m, 0) for m in rotation)
        counts[pick] += 1
        had_it = pick
    done = [counts.get(m, 0) for m in rotation]
    assert max(done) - min(done) <= 1


# repeating after it was done ---------------------------------------------------------------------
BERLIN = ZoneInfo("Europe/Berlin")
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(
    due=instants,
    late=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    every=st.integers(1, 60),
    unit=st.sampled_from([("DAILY", 1), ("WEEKLY", 7)]),
)
def test_every_n_days_or_weeks_after_it_was_done_falls_that_many_days_after_the_day_it_was_done(
    due, late, every, unit
):
    freq, days = unit
    due = due.replace(microsecond=0, second=0)
    done = due + late
    following = next_due(
        f"FREQ={freq};INTERVAL={every}", "from_completion", "Europe/Berlin", due, due, 0, done
    )
    assert following is not None
    home = following.astimezone(BERLIN)
    # at home: that many days after the day it was done, at the due time of day (a wall time the
    # spring change skips moves forward by the hour it skipped)
    assert home.date() == done.astimezone(BERLIN).date() + timedelta(days=every * days)
    wall = due.astimezone(BERLIN).time()
    assert home.time() == wall or (home.time().hour - wall.hour) % 24 == 1
    assert following > done


@given(due=instants, every=st.integers(1, 24), done_after=st.integers(0, 90))
def test_every_n_months_after_it_was_done_is_n_months_on_from_the_day_it_was_done(
    due, every, done_after
):
    due = due.replace(microsecond=0, second=0)
    done = due + timedelta(days=done_after)
    following = next_due(
        f"FREQ=MONTHLY;INTERVAL={every}", "from_completion", "Europe/Berlin", due, due, 0, done
    )
    day = done.astimezone(BERLIN).date()
    months = day.year * 12 + day.month - 1 + every
    if following is None:  # a month without that day is skipped, up to the calendar's end
        return
    home = following.astimezone(BERLIN).date()
    # on that day of the month, n months on, or a multiple of n where the months between lack the day
    assert home.day == day.day
    assert ((home.year * 12 + home.month - 1) - (months - every)) % every == 0
    assert home.year * 12 + home.month - 1 >= months
