"""The name draw over random groups, exclusions and last year's pairs: every draw is valid or a refusal
that says why, and a refusal only when brute force finds no valid draw either."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.gateway.exchange_draw import DrawRefused, Refusal, draw, explain


def valid_draws(people, excluded):
    """Every assignment by brute force: permutations with no fixed point and no excluded pair."""
    for receivers in itertools.permutations(people):
        picks = dict(zip(people, receivers, strict=True))
        if all(g != r and (g, r) not in excluded for g, r in picks.items()):
            yield picks


@st.composite
def groups(draw_, max_people=7):
    n = draw_(st.integers(min_value=1, max_value=max_people))
    people = [f"p{i}" for i in range(n)]
    pairs = [(g, r) for g in people for r in people if g != r]
    excluded = draw_(st.sets(st.sampled_from(pairs), max_size=len(pairs))) if pairs else set()
    avoid = draw_(st.sets(st.sampled_from(pairs), max_size=n)) if pairs else set()
    seed = draw_(st.integers(min_value=0, max_value=2**64 - 1))
    return people, excluded, avoid, seed


def assert_valid(people, excluded, picks):
    assert set(picks) == set(people), "every giver has exactly one receiver"
    assert sorted(picks.values()) == sorted(people), "every receiver has exactly one giver"
    assert all(g != r for g, r in picks.items()), "nobody draws themselves"
    assert not [p for p in picks.items() if p in excluded], "no excluded pair is drawn"


@settings(max_examples=400, deadline=None)
@given(groups())
def test_every_draw_is_valid_or_refused_only_when_no_valid_draw_exists(group):
    people, excluded, avoid, seed = group
    possible = list(valid_draws(people, excluded))
    try:
        drawn = draw(people, excluded, avoid, random.Random(seed))
    except DrawRefused as refused:
        assert possible == [], f"refused although {possible[0]} is a valid draw"
        assert explain(refused.refusal, {p: p.upper() for p in people})
        return
    assert_valid(people, excluded, drawn.picks)
    assert drawn.repeats == sum(p in avoid for p in drawn.picks.items())
    if any(not (set(d.items()) & avoid) for d in possible):
        assert drawn.repeats == 0, "last year's pairs are avoided when the draw allows it"


@settings(max_examples=300, deadline=None)
@given(groups())
def test_a_refusal_names_a_group_that_truly_has_too_few_partners(group):
    """Hall's condition, checked: the named people can only be matched with the named partners."""
    people, excluded, avoid, seed = group
    try:
        draw(people, excluded, avoid, random.Random(seed))
    except DrawRefused as refused:
        r: Refusal = refused.refusal
        assert len(r.partners) == len(r.people) - 1
        for person in r.people:
            for other in people:
                ok = other != person and (
                    (person, other) not in excluded if r.givers else (other, person) not in excluded
                )
                if ok:
                    assert other in r.partners, f"{person} could also be matched with {other}"


@settings(max_examples=100, deadline=None)
@given(groups(), st.integers(min_value=0, max_value=2**64 - 1))
def test_the_same_seed_draws_the_same_names(group, other_seed):
    people, excluded, avoid, seed = group
    try:
        first = draw(people, excluded, avoid, random.Random(seed))
    except DrawRefused:
        return
    assert draw(people, excluded, avoid, random.Random(seed)) == first
    assert_valid(people, excluded, draw(people, excluded, avoid, random.Random(other_seed)).picks)


def test_partners_excluded_both_ways_never_draw_each_other():
    people = ["ada", "ben", "cy", "dee"]
    excluded = {("ada", "ben"), ("ben", "ada"), ("cy", "dee"), ("dee", "cy")}
    for seed in range(50):
        picks = draw(people, excluded, set(), random.Random(seed)).picks
        assert_valid(people, excluded, picks)


def test_a_person_excluded_from_everyone_is_named():
    people = ["ada", "ben", "cy"]
    with pytest.raises(DrawRefused) as refused:
        draw(people, {("ada", "ben"), ("ada", "cy")}, set(), random.Random(1))
    assert explain(refused.value.refusal, {p: p.title() for p in people}) == (
        "Ada has nobody to give to: every other person is excluded for them. "
        "Lift one of their exclusions."
    )


def test_a_person_nobody_may_give_to_is_named():
    people = ["ada", "ben", "cy"]
    with pytest.raises(DrawRefused) as refused:
        draw(people, {("ben", "ada"), ("cy", "ada")}, set(), random.Random(1))
    assert explain(refused.value.refusal, {p: p.title() for p in people}) == (
        "Nobody may give to Ada: every other person is excluded from giving to them. "
        "Lift one of those exclusions."
    )


def test_two_people_who_may_only_give_to_one_are_named_together():
    people = ["ada", "ben", "cy", "dee"]
    excluded = {("ada", "ben"), ("ada", "cy"), ("ben", "ada"), ("ben", "cy")}
    with pytest.raises(DrawRefused) as refused:
        draw(people, excluded, set(), random.Random(3))
    assert explain(refused.value.refusal, {p: p.title() for p in people}) == (
        "Ada and Ben can only give to Dee between them, so one of them would have nobody to "
        "give to. Lift one of their exclusions."
    )


def test_last_years_pairs_are_drawn_only_when_nothing_else_is_possible():
    # three people: only two cycles exist; avoiding one of them leaves exactly the other
    people = ["ada", "ben", "cy"]
    last_year = {("ada", "ben"), ("ben", "cy"), ("cy", "ada")}
    for seed in range(20):
        drawn = draw(people, set(), last_year, random.Random(seed))
        assert drawn.repeats == 0
        assert drawn.picks == {"ada": "cy", "cy": "ben", "ben": "ada"}
    # with the other cycle excluded, last year's has to come back
    other = {("ada", "cy"), ("cy", "ben"), ("ben", "ada")}
    drawn = draw(people, other, last_year, random.Random(0))
    assert drawn.repeats == 3


def test_fifty_people_with_thirty_exclusions_draw():
    rng = random.Random(7)
    people = list(range(50))
    excluded = set()
    while len(excluded) < 30:
        g, r = rng.sample(people, 2)
        excluded.add((g, r))
    assert_valid(people, excluded, draw(people, excluded, set(), random.Random(1)).picks)
