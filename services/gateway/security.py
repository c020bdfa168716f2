"""Pure security rules of the gateway: password hashes, opaque tokens, invitation codes, login throttling."""

import asyncio
import hashlib
import math
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# verified against when the email is unknown, so a wrong email costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow; off the event loop so other requests keep flowing
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's; rehashed at the next login."""
    return _hasher.check_needs_rehash(password_hash)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored for a refresh token or invitation code: random enough that SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


# no 0/O, 1/I/L: a code read aloud or copied from a phone is typed right the first time
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_invitation_code() -> str:
    """A short human-typeable code like `K7QM-3XTA` (~40 bits: single use and expiring)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def normalize_code(code: str) -> str:
    """The code as stored: case, spaces and dashes do not matter."""
    return "".join(c for c in code.upper() if c.isalnum())


def retry_after(failures: Iterable[datetime], now: datetime, max_failures: int, window: timedelta) -> int | None:
    """Seconds until another attempt is allowed, or None when it is allowed now.

    Blocked while `max_failures` or more failures lie within the last `window`; it lifts as soon as
    enough of them have aged out of it.
    """
    recent = sorted(t for t in failures if t > now - window)
    if len(recent) < max_failures:
        return None
    # the attempt is allowed again when all but max_failures - 1 of the recent failures have aged out
    frees_at = recent[len(recent) - max_failures] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))
