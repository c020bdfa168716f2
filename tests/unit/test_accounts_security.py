"""Access tokens, device cookies, invitation codes, throttle keys and password hashing: pure logic."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

import shared.tokens
from services.gateway.models.households import HouseholdCreate, HouseholdUpdate
from services.gateway.security import (
    CODE_ALPHABET,
    Device,
    hash_password,
    hash_token,
    new_device_id,
    new_device_token,
    new_invitation_code,
    new_refresh_token,
    normalize_code,
    read_device_token,
    throttle_key,
    verify_password,
)
from shared.tokens import LEEWAY_S, InvalidToken, create_access_token, read_access_token

SECRET = "a-test-secret-that-is-at-least-32-bytes"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_an_access_token_names_the_user_it_was_issued_to():
    user_id = uuid.uuid4()
    token = create_access_token(user_id, SECRET, datetime.now(UTC), timedelta(minutes=15))
    assert read_access_token(token, SECRET) == user_id


def test_an_expired_access_token_is_refused():
    token = create_access_token(
        uuid.uuid4(), SECRET, datetime.now(UTC) - timedelta(hours=1), timedelta(minutes=15)
    )
    with pytest.raises(InvalidToken):
        read_access_token(token, SECRET)


def test_an_access_token_signed_with_another_secret_is_refused():
    token = create_access_token(
        uuid.uuid4(),
        "another-secret-that-is-at-least-32-bytes",
        datetime.now(UTC),
        timedelta(minutes=15),
    )
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
    claims = {
        "sub": str(uuid.uuid4()),
        "iss": "giftflow",
        "typ": "refresh",
        "iat": now,
        "exp": now + WINDOW,
    }
    with pytest.raises(InvalidToken):
        read_access_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)


def test_an_unsigned_token_is_refused():
    now = datetime.now(UTC)
    claims = {
        "sub": str(uuid.uuid4()),
        "iss": "giftflow",
        "typ": "access",
        "iat": now,
        "exp": now + WINDOW,
    }
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


def test_a_device_cookie_names_the_browser_and_the_account_it_signed_in_to():
    device = Device(new_device_id(), uuid.uuid4())
    token = new_device_token(device, SECRET, datetime.now(UTC), timedelta(days=180))
    assert read_device_token(token, SECRET) == device


def test_a_forged_expired_or_foreign_device_cookie_is_no_device():
    device = Device(new_device_id(), uuid.uuid4())
    now = datetime.now(UTC)
    expired = new_device_token(device, SECRET, now - timedelta(days=200), timedelta(days=180))
    forged = new_device_token(
        device, "another-secret-that-is-at-least-32-bytes", now, timedelta(days=1)
    )
    access = create_access_token(device.user_id, SECRET, now, timedelta(minutes=15))
    for token in (expired, forged, access, "garbage", "", None):
        assert read_device_token(token, SECRET) is None
    # and a device cookie is no access token
    with pytest.raises(InvalidToken):
        read_access_token(new_device_token(device, SECRET, now, timedelta(days=1)), SECRET)


def test_ipv4_clients_are_throttled_by_their_address_and_ipv6_ones_by_their_64():
    assert throttle_key("203.0.113.9") == "203.0.113.9"
    assert (
        throttle_key("2001:db8:1:2:aaaa::1")
        == throttle_key("2001:db8:1:2:ffff::9")
        == "2001:db8:1:2::/64"
    )
    assert throttle_key("2001:db8:1:3::1") != throttle_key("2001:db8:1:2::1")
    assert throttle_key("unknown") == "unknown"


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


def test_a_token_accepted_before_is_refused_once_it_expires(monkeypatch):
    # the signature is checked once per token (shared/tokens.py keeps what verified); the expiry
    # is checked on every request all the same
    issued = datetime.now(UTC)
    token = create_access_token(uuid.uuid4(), SECRET, issued, timedelta(minutes=15))
    read_access_token(token, SECRET)
    later = (issued + timedelta(minutes=15, seconds=LEEWAY_S + 1)).timestamp()
    monkeypatch.setattr(shared.tokens.time, "time", lambda: later)
    with pytest.raises(InvalidToken):
        read_access_token(token, SECRET)


def test_a_token_accepted_with_one_secret_is_refused_with_another():
    token = create_access_token(uuid.uuid4(), SECRET, datetime.now(UTC), timedelta(minutes=15))
    read_access_token(token, SECRET)
    with pytest.raises(InvalidToken):
        read_access_token(token, "another-secret-that-is-at-least-32-bytes")
