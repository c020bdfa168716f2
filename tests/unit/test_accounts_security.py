"""Access tokens, invitation codes, the login throttle rule and password hashing: pure logic."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services.gateway.models.households import HouseholdCreate, HouseholdUpdate
from services.gateway.security import (
    CODE_ALPHABET, hash_password, hash_token, new_invitation_code, new_refresh_token, normalize_code, retry_after,
    verify_password,
)
from shared.tokens import InvalidToken, create_access_token, read_access_token

SECRET = "a-test-secret-that-is-at-least-32-bytes"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_an_access_token_names_the_user_it_was_issued_to():
    user_id = uuid.uuid4()
    token = create_access_token(user_id, SECRET, datetime.now(UTC), timedelta(minutes=15))
    assert read_access_token(token, SECRET) == user_id


def test_an_expired_access_token_is_refused():
    token = create_access_token(uuid.uuid4(), SECRET, datetime.now(UTC) - timedelta(hours=1), timedelta(minutes=15))
    with pytest.raises(InvalidToken):
        read_access_token(token, SECRET)


def test_an_access_token_signed_with_another_secret_is_refused():
    token = create_access_token(uuid.uuid4(), "another-secret-that-is-at-least-32-bytes", datetime.now(UTC),
                                timedelta(minutes=15))
    with pytest.raises(InvalidToken):
        read_access_token(token, SECRET)


def test_a_tampered_access_token_is_refused():
    token = create_access_token(uuid.uuid4(), SECRET, datetime.now(UTC), timedelta(minutes=15))
    header, payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"sub":"', b'"sub":"0')
    ).decode()
    with pytest.raises(InvalidToken):
        read_access_token(f"{header}.{forged_payload}.{signature}", SECRET)


def test_a_token_that_is_not_an_access_token_is_refused():
    now = datetime.now(UTC)
    claims = {"sub": str(uuid.uuid4()), "iss": "giftflow", "typ": "refresh", "iat": now, "exp": now + WINDOW}
    with pytest.raises(InvalidToken):
        read_access_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)


def test_an_unsigned_token_is_refused():
    now = datetime.now(UTC)
    claims = {"sub": str(uuid.uuid4()), "iss": "giftflow", "typ": "access", "iat": now, "exp": now + WINDOW}
    with pytest.raises(InvalidToken):
        read_access_token(jwt.encode(claims, None, algorithm="none"), SECRET)


def test_garbage_is_not_a_token():
    for garbage in ("", "abc", "a.b.c"):
        with pytest.raises(InvalidToken):
            read_access_token(garbage, SECRET)


def test_invitation_codes_are_short_unambiguous_and_differ():
    codes = {new_invitation_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}", code)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_a_code_typed_in_lower_case_or_without_its_dash_is_the_same_code():
    assert normalize_code(" k7qm-3xta ") == normalize_code("K7QM3XTA") == "K7QM3XTA"
    assert hash_token(normalize_code("k7qm 3xta")) == hash_token(normalize_code("K7QM-3XTA"))


def test_refresh_tokens_are_random_and_stored_only_as_hashes():
    token = new_refresh_token()
    assert len(token) >= 40 and token != new_refresh_token()
    assert hash_token(token) != token and len(hash_token(token)) == 64


def test_fewer_failures_than_the_limit_do_not_throttle():
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert retry_after(failures, NOW, max_failures=5, window=WINDOW) is None


def test_the_limit_reached_within_the_window_throttles_until_the_oldest_ages_out():
    failures = [NOW - timedelta(minutes=m) for m in (10, 4, 3, 2, 1)]
    assert retry_after(failures, NOW, max_failures=5, window=WINDOW) == 5 * 60


def test_failures_older_than_the_window_do_not_count():
    failures = [NOW - timedelta(minutes=m) for m in (30, 20, 16, 3, 2, 1)]
    assert retry_after(failures, NOW, max_failures=5, window=WINDOW) is None


def test_more_failures_than_the_limit_throttle_until_enough_have_aged_out():
    failures = [NOW - timedelta(minutes=m) for m in (14, 12, 10, 8, 6, 4, 2)]
    # 7 in the window, 5 allowed: blocked until the 3rd oldest (10 minutes ago) ages out
    assert retry_after(failures, NOW, max_failures=5, window=WINDOW) == 5 * 60


def test_the_wait_is_at_least_a_second_and_rounded_up():
    failures = [NOW - WINDOW + timedelta(milliseconds=300)] + [NOW] * 4
    assert retry_after(failures, NOW, max_failures=5, window=WINDOW) == 1


async def test_a_password_verifies_against_its_hash_only():
    stored = await hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert await verify_password(stored, "correct horse")
    assert not await verify_password(stored, "Correct horse")
    assert not await verify_password(None, "correct horse")
    assert not await verify_password("not-a-hash", "correct horse")


def test_a_household_time_zone_must_be_an_iana_name():
    assert HouseholdCreate(name="A", timezone="Europe/Berlin").timezone == "Europe/Berlin"
    assert HouseholdCreate(name="A").timezone == "UTC"
    for bad in ("Mars/Olympus", "localtime", "../etc/passwd", ""):
        with pytest.raises(ValueError):
            HouseholdCreate(name="A", timezone=bad)
    with pytest.raises(ValueError):
        HouseholdUpdate(timezone="CEST")
