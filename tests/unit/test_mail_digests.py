"""When digests fall due and what they say: pure rules, no servers."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notification.audience import Notice
from services.notification.mail.digest_content import Held, held_sections, upcoming_sections
from services.notification.mail.digests import Candidate, due_digests
from services.notification.mail.kinds import DEFAULT_MODES, mail_kind, modes_for
from services.notification.mail.schedule import (
    DigestTime,
    is_due,
    last_moment,
    period_of,
    start_of_hour,
)

BERLIN = "Europe/Berlin"
MONDAY_8_BERLIN = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Berlin, a Monday
CATCH_UP = timedelta(hours=12)


def member(**changes) -> Candidate:
    base = {
        "household_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "display_name": "Ann",
        "address": "ann@example.com",
        "timezone": BERLIN,
        "joined_at": datetime(2026, 11, 1, tzinfo=UTC),
        "time": DigestTime(hour=8, weekday=0),
        "chosen_at": None,
        "choices": {},
        "holds_some": False,
    }
    return Candidate(**{**base, **changes})


def test_the_weekly_moment_is_the_members_weekday_and_hour_on_the_households_clock():
    when = DigestTime(hour=8, weekday=0)
    assert last_moment("weekly", when, MONDAY_8_BERLIN, BERLIN) == MONDAY_8_BERLIN
    a_minute_before = MONDAY_8_BERLIN - timedelta(minutes=1)
    assert last_moment("weekly", when, a_minute_before, BERLIN) == MONDAY_8_BERLIN - timedelta(
        days=7
    )
    thursday = MONDAY_8_BERLIN + timedelta(days=3, hours=5)
    assert last_moment("weekly", when, thursday, BERLIN) == MONDAY_8_BERLIN
    assert last_moment("daily", when, thursday, BERLIN) == MONDAY_8_BERLIN + timedelta(days=3)


def test_a_daily_moment_keeps_its_hour_across_a_change_of_summer_time():
    when = DigestTime(hour=8, weekday=0)
    after_the_change = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)  # Berlin went to UTC+2 that night
    assert last_moment("daily", when, after_the_change, BERLIN) == datetime(
        2026, 3, 29, 6, 0, tzinfo=UTC
    )


def test_every_replica_names_a_period_the_same_way_by_its_local_date():
    moment = last_moment(
        "weekly", DigestTime(0, 0), datetime(2026, 12, 6, 23, 30, tzinfo=UTC), BERLIN
    )
    assert period_of("weekly", moment, BERLIN) == "weekly:2026-12-07"


def test_a_digest_is_due_from_its_moment_for_a_while_and_only_for_members_there_before_it():
    since = MONDAY_8_BERLIN - timedelta(days=30)
    assert is_due(MONDAY_8_BERLIN, MONDAY_8_BERLIN, since, CATCH_UP)
    assert is_due(MONDAY_8_BERLIN, MONDAY_8_BERLIN + timedelta(hours=11), since, CATCH_UP)
    assert not is_due(MONDAY_8_BERLIN, MONDAY_8_BERLIN + timedelta(hours=13), since, CATCH_UP)
    assert not is_due(MONDAY_8_BERLIN, MONDAY_8_BERLIN, MONDAY_8_BERLIN + timedelta(1), CATCH_UP)


def test_choosing_the_current_hour_makes_this_hours_digest_due_in_a_half_hour_zone():
    chosen = datetime(2026, 12, 7, 2, 10, tzinfo=UTC)  # 07:40 in Kolkata
    assert start_of_hour(chosen, "Asia/Kolkata") == datetime(2026, 12, 7, 1, 30, tzinfo=UTC)


def test_the_weekly_summary_is_due_by_default_and_daily_only_with_something_held():
    now = MONDAY_8_BERLIN + timedelta(minutes=5)
    [due] = due_digests([member()], now, CATCH_UP)
    assert due.digest == "weekly"
    assert due_digests([member(choices={"upcoming": "off"})], now, CATCH_UP) == []
    daily = member(choices={"upcoming": "off", "claim": "daily"})
    assert due_digests([daily], now, CATCH_UP) == []
    [held] = due_digests(
        [member(choices={"upcoming": "off", "claim": "daily"}, holds_some=True)], now, CATCH_UP
    )
    assert held.digest == "daily"
    assert held.key.endswith(":daily:2026-12-07") and str(held.candidate.user_id) in held.key


def test_a_member_who_joined_after_the_moment_waits_for_the_next():
    now = MONDAY_8_BERLIN + timedelta(hours=2)
    assert (
        due_digests([member(joined_at=MONDAY_8_BERLIN + timedelta(hours=1))], now, CATCH_UP) == []
    )
    chose_now = member(chosen_at=now, time=DigestTime(hour=10, weekday=0))  # 10:00 Berlin = now
    [due] = due_digests([chose_now], now, CATCH_UP)
    assert due.moment == now
    # joined a minute ago and chose this very hour: this hour's digest is theirs
    new_and_chose_now = member(
        joined_at=now - timedelta(minutes=1), chosen_at=now, time=DigestTime(10, 0)
    )
    assert len(due_digests([new_and_chose_now], now, CATCH_UP)) == 1
    chose_an_earlier_hour = member(chosen_at=now, time=DigestTime(hour=9, weekday=0))
    assert due_digests([chose_an_earlier_hour], now, CATCH_UP) == []


def test_the_summary_kind_is_never_mailed_at_once_nor_taken_for_a_notification():
    assert "now" not in modes_for("upcoming") and "weekly" in modes_for("upcoming")
    assert set(modes_for("claim")) == {"off", "now", "daily", "weekly"}
    assert DEFAULT_MODES["upcoming"] == "weekly"
    assert mail_kind(Notice("upcoming", "x", "task", uuid.uuid4())) is None


AHEAD = {
    "today": "2026-12-07",
    "occasions": [
        {
            "occasion": {"name": "Mum's birthday"},
            "date": "2026-12-11",
            "days_until": 4,
            "people": [
                {"person_id": "p1", "name": "Mum", "has_gift": False},
                {"person_id": "p2", "name": "Dad", "has_gift": True},
            ],
        }
    ],
    "my_claims": [
        {"gift_title": "Scarf", "person_id": "p1", "status": "selected"},
        {"gift_title": "Book", "person_id": "p1", "status": "purchased"},
    ],
    "my_open_tasks": [
        {"title": "Order the cake", "due_at": "2026-12-10T16:00:00Z"},
        {"title": "Far away", "due_at": "2027-03-01T10:00:00Z"},
        {"title": "Someday", "due_at": None},
    ],
}


def test_the_week_ahead_names_occasions_who_lacks_a_gift_unbought_claims_and_tasks_due():
    sections = {s.title: s.lines for s in upcoming_sections(AHEAD, BERLIN, days=14)}
    assert sections["Occasions coming up"] == ("Mum's birthday: Friday 11 December (in 4 days)",)
    assert sections["Still without a gift"] == ("Mum's birthday: Mum",)
    assert sections["My claims not yet bought"] == ("Scarf for Mum",)
    assert sections["My tasks due"] == ("Order the cake: due Thursday 10 December, 17:00",)


def test_held_notifications_are_grouped_by_kind_oldest_first():
    first = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    held = [
        Held("comment", "Bea commented", first + timedelta(hours=1)),
        Held("claim", "Bea claimed Scarf", first + timedelta(hours=2)),
        Held("comment", "Cy commented", first),
    ]
    sections = held_sections(held, {"claim": "Claims", "comment": "Comments"}, BERLIN)
    assert [s.title for s in sections] == ["Claims", "Comments"]
    assert sections[1].lines[0].startswith("Cy commented (Sunday 6 December, 10:00")


@pytest.mark.parametrize("digest", ["daily", "weekly"])
def test_a_digest_mail_renders_its_sections_as_text_and_escaped_html(digest):
    from services.notification.mail.render import render

    content = render(
        "digest",
        "Your week ahead on giftflow",
        name="Ann",
        intro="intro",
        sections=upcoming_sections(
            {**AHEAD, "my_open_tasks": [{"title": "<b>x</b>", "due_at": "2026-12-08T10:00:00Z"}]},
            BERLIN,
            14,
        ),
        nothing="nothing",
        app_link="https://gf.example/",
        sent_at="now",
        digest_label=digest,
        unsubscribe_link="https://gf.example/u",
    )
    assert "- Scarf for Mum" in content.text and "<b>x</b>" in content.text
    assert "&lt;b&gt;x&lt;/b&gt;" in content.html and "<li>Scarf for Mum</li>" in content.html


def test_choices_a_consumer_could_not_keep_are_refused_with_what_to_choose():
    from pydantic import ValidationError

    from services.notification.mail.routes import MailPreferences

    chosen = MailPreferences(kinds={"claim": "weekly"}, digest_hour=18, digest_weekday="sunday")
    assert chosen.kinds == {"claim": "weekly"} and chosen.digest_weekday == "sunday"
    with pytest.raises(ValidationError, match="upcoming: choose one of off, daily, weekly"):
        MailPreferences(kinds={"upcoming": "now"})
    with pytest.raises(ValidationError):
        MailPreferences(digest_hour=24)
    with pytest.raises(ValidationError):
        MailPreferences(digest_weekday="someday")
