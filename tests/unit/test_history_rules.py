"""The gift history's rules, over every setting and date: what a member is shown of a record (through the
same function every read uses), whom an event about it is kept from, the reveal setting deciding it both
ways, the "you gave this before" resemblance, and the thank-you task's title and due time."""

import datetime as dt
import unicodedata
import uuid
import zoneinfo
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from services.gateway.models.history import GiftRecord
from services.gateway.surprise import GIVEN, RECEIVED, SANTA, Viewer, record_hidden
from services.gateway.use_cases.history import (
    MAX_TITLE,
    facts_of,
    known_to,
    thank_you_due,
    thank_you_title,
)
from services.gateway.use_cases.history_reads import record_facts, resemblance, shown_record

HOUSEHOLD = uuid.uuid4()
RECIPIENT = uuid.uuid4()  # the person who received the gift
GIVER = uuid.uuid4()  # a member who gave it
OTHER = uuid.uuid4()

days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2190, 12, 31))
settings = st.sampled_from(["at_occasion", "after_days", "never"])
after = st.integers(min_value=1, max_value=365)


@st.composite
def viewers(draw, recipient: bool | None = None) -> Viewer:
    linked = draw(st.booleans()) if recipient is None else recipient
    people = {RECIPIENT} if linked else set()
    if draw(st.booleans()):
        people.add(OTHER)
    return Viewer(
        user_id=draw(st.sampled_from([GIVER, uuid.uuid4()])),
        is_child=draw(st.booleans()),
        person_ids=frozenset(people),
    )


def row(
    source: str = GIVEN,
    occurs_on: dt.date = dt.date(2026, 12, 25),
    reveal: str = "after_days",
    reveal_after_days: int = 1,
    from_santa: bool = False,
    private_to: tuple[uuid.UUID, ...] = (),
) -> SimpleNamespace:
    """A row as history_reads' statement answers it (a received gift is nobody's secret)."""
    if source == RECEIVED:
        from_santa, private_to = False, ()
    return SimpleNamespace(
        id=uuid.uuid4(),
        household_id=HOUSEHOLD,
        source=source,
        recipient_person_id=RECIPIENT,
        recipient_name="Cleo",
        occasion_id=None,
        occasion_name=None,
        occurs_on=occurs_on,
        title="Red bike",
        price=None,
        currency=None,
        gift_id=None,
        notes=None,
        from_santa=from_santa,
        private_to=list(private_to),
        giver_person_id=None,
        giver_person_name=None,
        giver_person_user_id=None,
        giver_name="Aunt Ruth" if source == RECEIVED else None,
        thanked_at=None,
        thank_task_id=None,
        recorded_by=None,
        created_at=dt.datetime(2026, 12, 26, tzinfo=dt.UTC),
        reveal=reveal,
        reveal_after_days=reveal_after_days,
        timezone="UTC",
        giver_ids=[GIVER] if source == GIVEN else None,
        giver_person_ids=[None] if source == GIVEN else None,
        giver_names=["Ann"] if source == GIVEN else None,
        also_for=[],  # the gift was for the recipient alone
    )


records = st.builds(
    row,
    source=st.sampled_from([GIVEN, RECEIVED]),
    occurs_on=days,
    reveal=settings,
    reveal_after_days=after,
    from_santa=st.booleans(),
    private_to=st.lists(st.sampled_from([GIVER, uuid.uuid4()]), max_size=2).map(tuple),
)


def revealed_on(reveal: str, n: int, occurs_on: dt.date, today: dt.date) -> bool:
    """The reveal setting in words: on the day, n days after, or never."""
    if reveal == "never":
        return False
    return today >= occurs_on + dt.timedelta(days=n if reveal == "after_days" else 0)


@given(record=records, viewer=viewers(recipient=True), today=days)
def test_a_recipient_never_sees_a_given_gift_before_its_reveal_whatever_the_setting_and_dates(
    record, viewer, today
):
    shown = shown_record(viewer, record, today)
    if record.source == RECEIVED:
        assert shown is not None  # what they received, recorded, is theirs from the start
    elif not revealed_on(record.reveal, record.reveal_after_days, record.occurs_on, today):
        assert shown is None
    else:
        assert shown is not None and shown["revealed"] is True


@given(
    occurs_on=days,
    today=days,
    first=st.tuples(settings, after),
    then=st.tuples(settings, after),
    viewer=viewers(recipient=True),
)
def test_changing_the_setting_later_decides_it_again_both_ways(
    occurs_on, today, first, then, viewer
):
    """Nothing about an earlier setting is kept: what is shown is what the setting says now."""
    for reveal, n in (first, then, first):
        shown = shown_record(viewer, row(GIVEN, occurs_on, reveal, n), today)
        assert (shown is not None) == revealed_on(reveal, n, occurs_on, today)


@given(occurs_on=days, today=days, n=after, m=after)
def test_a_shorter_wait_never_hides_what_a_longer_one_shows(occurs_on, today, n, m):
    cleo = Viewer(uuid.uuid4(), person_ids=frozenset({RECIPIENT}))
    shorter, longer = sorted((n, m))
    if shown_record(cleo, row(GIVEN, occurs_on, "after_days", longer), today):
        assert shown_record(cleo, row(GIVEN, occurs_on, "after_days", shorter), today)
        assert shown_record(cleo, row(GIVEN, occurs_on, "at_occasion"), today)


@given(record=records, viewer=viewers(recipient=False), today=days)
def test_a_child_who_is_not_the_recipient_never_sees_santas_gift(record, viewer, today):
    if record.from_santa and viewer.is_child:
        assert shown_record(viewer, record, today) is None


@given(record=records, viewer=viewers(recipient=False), today=days)
def test_a_secret_gift_is_seen_only_by_those_it_is_kept_for(record, viewer, today):
    if record.private_to and viewer.user_id not in record.private_to:
        assert shown_record(viewer, record, today) is None


@given(record=records, viewer=viewers(), today=days)
def test_a_child_who_may_see_santas_gift_is_told_santa_and_nobody_else(record, viewer, today):
    shown = shown_record(viewer, record, today)
    if shown is None:
        return
    if record.from_santa and viewer.is_child and record.source == GIVEN:
        assert shown["givers"] == [{"user_id": None, "person_id": None, "name": SANTA}]
    elif record.source == GIVEN:
        assert shown["givers"][0]["user_id"] == GIVER


@given(record=records, today=days)
def test_the_grown_ups_who_are_not_its_recipient_see_whether_and_when_it_is_revealed(record, today):
    admin = Viewer(GIVER)
    shown = shown_record(admin, record, today)
    if record.private_to and GIVER not in record.private_to:
        assert shown is None
        return
    assert shown is not None
    assert shown["revealed"] == (
        record.source == RECEIVED
        or revealed_on(record.reveal, record.reveal_after_days, record.occurs_on, today)
    )


def stored(record: SimpleNamespace) -> GiftRecord:
    return GiftRecord(
        household_id=HOUSEHOLD,
        source=record.source,
        recipient_person_id=RECIPIENT,
        occurs_on=record.occurs_on,
        title=record.title,
        from_santa=record.from_santa,
        private_to=list(record.private_to),
    )


@given(
    record=records,
    members=st.lists(viewers(), min_size=1, max_size=6, unique_by=lambda v: v.user_id),
)
def test_an_event_about_a_new_given_gift_never_reaches_its_recipient_now_or_later(record, members):
    kept = record_hidden(members, facts_of(stored(record)))
    recipients = {m.user_id for m in members if RECIPIENT in m.person_ids}
    if record.source == GIVEN:
        assert recipients <= set(kept.users) and RECIPIENT in kept.persons
    else:
        assert not kept.users and not kept.persons


@given(
    record=records,
    members=st.lists(viewers(), min_size=1, max_size=6, unique_by=lambda v: v.user_id),
)
def test_a_thank_you_is_kept_only_from_those_who_would_not_see_the_gift_revealed(record, members):
    kept = set(known_to(members, stored(record)).users)
    for m in members:
        if RECIPIENT in m.person_ids:
            assert m.user_id not in kept
        elif (record.from_santa and m.is_child) or (
            record.private_to and m.user_id not in record.private_to
        ):
            assert m.user_id in kept
        else:
            assert m.user_id not in kept


def test_the_reveal_day_follows_the_setting():
    christmas = dt.date(2026, 12, 25)
    assert record_facts(row(occurs_on=christmas, reveal="at_occasion")).reveals_on == christmas
    assert record_facts(row(occurs_on=christmas, reveal_after_days=3)).reveals_on == dt.date(
        2026, 12, 28
    )
    assert record_facts(row(occurs_on=christmas, reveal="never")).reveals_on is None
    assert record_facts(row(RECEIVED, occurs_on=christmas)).reveals_on is None


# you gave this before ----------------------------------------------------------------------------------
titles = st.lists(
    st.text(
        st.characters(categories=["Ll", "Lu", "Nd"], max_codepoint=0x24F), min_size=1, max_size=12
    ),
    min_size=1,
    max_size=5,
)


def accented(text: str) -> str:
    return "".join(c + "\u0301" if c.isalpha() else c for c in text)


@given(words=titles, other=st.text(max_size=40), data=st.data())
def test_titles_resemble_whatever_their_case_accents_and_word_order(words, other, data):
    title = " ".join(words)
    shuffled = " ".join(data.draw(st.permutations(words)))
    assert resemblance(title, title.upper()) == resemblance(title, title) == 1.0
    assert resemblance(title, shuffled) == 1.0
    assert resemblance(unicodedata.normalize("NFC", accented(title)), title) == 1.0
    assert resemblance(title, other) == resemblance(other, title)
    assert 0.0 <= resemblance(title, other) <= 1.0


def test_a_gift_and_a_bigger_one_of_its_kind_resemble_and_other_gifts_do_not():
    assert resemblance("Lego", "LEGO Fire Station") == 1.0
    assert resemblance("Crème brûlée set", "creme brulee sets") >= 0.8
    assert resemblance("Teapot", "Fire station") < 0.8
    assert resemblance("", "Teapot") == 0.0


# thank-you tasks ----------------------------------------------------------------------------------------
zones = st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati"])


@given(occurs_on=days, today=days, n=st.integers(0, 60), zone=zones)
def test_a_thank_you_is_due_at_six_in_the_evening_some_days_after_the_gift_or_today(
    occurs_on, today, n, zone
):
    due = thank_you_due(occurs_on, today, n, zone)
    local = due.astimezone(zoneinfo.ZoneInfo(zone))
    assert local.time() == dt.time(18)
    assert local.date() == max(occurs_on, today) + dt.timedelta(days=n)


@given(
    givers=st.lists(st.text(min_size=1, max_size=120), max_size=4),
    title=st.text(min_size=1, max_size=200),
    discreet=st.booleans(),
)
def test_a_thank_you_title_fits_a_task_and_a_discreet_one_names_nobody(givers, title, discreet):
    said = thank_you_title(givers, title, discreet)
    assert 1 <= len(said) <= MAX_TITLE
    if discreet:
        assert said == thank_you_title([], "", True)


def test_a_thank_you_title_says_whom_to_thank_for_what():
    assert (
        thank_you_title(["Aunt Ruth"], "Wool scarf", False) == "Thank Aunt Ruth for the Wool scarf"
    )
    assert (
        thank_you_title(["Ann", "Ben", "Dot"], "Kite", False)
        == "Thank Ann, Ben and Dot for the Kite"
    )
