"""Access tokens: short-lived HS256 JWTs the gateway issues at login and any service can verify.

Browsers carry them in the same-origin HttpOnly cookie `gf_access` (an EventSource sends no headers);
other clients send `Authorization: Bearer <token>`.
"""

import functools
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import jwt

ACCESS_COOKIE = "gf_access"
REFRESH_COOKIE = "gf_refresh"

ALGORITHM = "HS256"
ISSUER = "giftflow"
LEEWAY_S = 10  # clock skew between replicas


class InvalidToken(Exception):
    """The token is malformed, forged, expired or not an access token."""


def create_access_token(user_id: UUID, secret: str, now: datetime, ttl: timedelta) -> str:
    claims = {"sub": str(user_id), "iss": ISSUER, "typ": "access", "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@dataclass(frozen=True)
class Access:
    user_id: UUID
    good_until: float  # epoch seconds: the token's expiry, with the leeway it is read with


def read_access(token: str, secret: str) -> Access:
    """Whom the token was issued to, and until when it is accepted; raises InvalidToken unless it is
    genuine and current."""
    access = _genuine(token, secret)
    if time.time() > access.good_until:
        raise InvalidToken("Signature has expired")
    return access


# A browser sends the same token with every request for its whole life (minutes): its signature and
# claims are checked once, and each later request only checks the expiry. Only what verified is kept,
# keyed by the exact token and secret.
CACHED_TOKENS = 4096


@functools.lru_cache(maxsize=CACHED_TOKENS)
def _genuine(token: str, secret: str) -> Access:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            leeway=LEEWAY_S,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
        if claims.get("typ") != "access":
            raise InvalidToken("not an access token")
        return Access(UUID(claims["sub"]), claims["exp"] + LEEWAY_S)
    except (jwt.PyJWTError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc


def read_access_token(token: str, secret: str) -> UUID:
    """The user id the token was issued to; raises InvalidToken unless it is genuine and current."""
    return read_access(token, secret).user_id
