"""Pure security rules of the gateway: password hashes, opaque tokens, invitation codes, the device cookie
and the address a client is throttled by."""

import asyncio
import hashlib
import ipaddress
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.tokens import ALGORITHM, ISSUER

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# verified against when the email is unknown, so a wrong email costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow; off the event loop so other requests keep flowing
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return (
                _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
            )
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


@dataclass(frozen=True)
class Device:
    """A browser an account signed in from, as its device cookie says (see services.gateway.throttle)."""

    id: str
    user_id: uuid.UUID


def new_device_token(device: Device, secret: str, now: datetime, ttl: timedelta) -> str:
    """The device cookie: signed, so it cannot be made for an account one never signed in to."""
    claims = {
        "sub": str(device.user_id),
        "jti": device.id,
        "iss": ISSUER,
        "typ": "device",
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_device_token(token: str | None, secret: str) -> Device | None:
    """The browser the cookie names, or None unless it is genuine and current."""
    if not token:
        return None
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "jti", "exp", "iss"]},
        )
        if claims.get("typ") != "device":
            return None
        return Device(str(claims["jti"]), uuid.UUID(claims["sub"]))
    except (jwt.PyJWTError, ValueError):
        return None


def new_device_id() -> str:
    return secrets.token_urlsafe(16)


def throttle_key(address: str) -> str:
    """What failures are counted by: the address, or for IPv6 its /64 (one subscriber's whole block)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
