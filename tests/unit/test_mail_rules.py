"""The mail channel's pure parts: which notifications are mailed, sealed fields, unsubscribe tokens,
and bodies rendered in the household's time zone with HTML escaped."""

import uuid
from datetime import UTC, datetime

import pytest

from services.notification.audience import Notice
from services.notification.mail import links
from services.notification.mail.kinds import DEFAULT_MODES, mail_kind, mode_of
from services.notification.mail.render import local_time, render
from services.notification.mail.sender import is_permanent
from shared.sealed import Unsealable, seal, unseal

SECRET = "a-secret-only-tests-know"


def notice(kind: str, entity: str = "task") -> Notice:
    return Notice(kind, "text", entity, uuid.uuid4())


def test_an_occasions_reminder_is_mailed_as_an_occasion_coming_up_and_a_tasks_as_a_reminder():
    assert mail_kind(notice("reminder", "occasion")) == "occasion"
    assert mail_kind(notice("reminder", "task")) == "reminder"
    assert mail_kind(notice("claim", "list_item")) == "claim"
    assert mail_kind(notice("gift", "gift")) is None  # never mailed


def test_a_kind_without_a_choice_takes_its_default_and_a_choice_wins():
    assert mode_of({}, "reminder") == DEFAULT_MODES["reminder"] == "now"
    assert mode_of({}, "comment") == "off"
    assert mode_of({"reminder": "off"}, "reminder") == "off"


def test_a_sealed_field_opens_only_with_its_secret_and_for_its_purpose():
    sealed = seal(SECRET, "address", {"address": "ann@example.com"})
    assert "ann" not in sealed
    assert unseal(SECRET, "address", sealed) == {"address": "ann@example.com"}
    with pytest.raises(Unsealable):
        unseal(SECRET, "password_reset", sealed)
    with pytest.raises(Unsealable):
        unseal("another-secret", "address", sealed)
    with pytest.raises(Unsealable):
        unseal(SECRET, "address", sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BB"))


def test_an_unsubscribe_token_names_one_member_and_kind_and_cannot_be_forged():
    what = links.Unsubscribe(uuid.uuid4(), uuid.uuid4(), "reminder")
    token = links.unsubscribe_token(SECRET, what)
    assert links.read_unsubscribe_token(SECRET, token) == what
    with pytest.raises(links.InvalidUnsubscribeToken):
        links.read_unsubscribe_token("another-secret", token)
    headers = links.unsubscribe_headers(links.unsubscribe_url("https://gf.example", token))
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<https://gf.example/api/mail/unsubscribe?token=")


def test_a_mail_speaks_of_time_in_the_households_zone_and_escapes_html():
    moment = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert local_time(moment, "Europe/Berlin") == "Monday 7 December 2026, 09:00 (Europe/Berlin)"
    assert local_time(moment, "Not/AZone").endswith("08:00 (UTC)")
    content = render(
        "notice",
        "Reminder: <b>cake</b>",
        name="Ann",
        text="Reminder: <b>cake</b>",
        app_link="https://gf.example/",
        sent_at="now",
        kind_label="Reminders",
        unsubscribe_link="https://gf.example/u",
    )
    assert "<b>cake</b>" in content.text and "&lt;b&gt;cake&lt;/b&gt;" in content.html


def test_only_a_5xx_answer_fails_a_mail_for_good():
    import aiosmtplib

    assert is_permanent(aiosmtplib.SMTPResponseException(550, "no such mailbox"))
    assert not is_permanent(aiosmtplib.SMTPResponseException(451, "try later"))
    assert not is_permanent(aiosmtplib.SMTPServerDisconnected("gone"))
