"""Links a mail carries: into the app, and the signed one-click unsubscribe (RFC 8058).

An unsubscribe link must work from a mail client with nobody signed in, so it carries who and what in
a token signed with the service's secret: whoever holds the mail may stop that one kind of mail for that
one member, which is all the link can do. It never expires: an old mail's link must still work.
"""

from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

import jwt

TOKEN_TYPE = "mail_unsubscribe"
UNSUBSCRIBE_PATH = "/api/mail/unsubscribe"


class InvalidUnsubscribeToken(Exception):
    pass


@dataclass(frozen=True)
class Unsubscribe:
    household_id: UUID
    user_id: UUID
    kind: str


def unsubscribe_token(secret: str, what: Unsubscribe) -> str:
    claims = {"typ": TOKEN_TYPE, "hh": str(what.household_id), "sub": str(what.user_id)}
    return jwt.encode({**claims, "kind": what.kind}, secret, algorithm="HS256")


def read_unsubscribe_token(secret: str, token: str) -> Unsubscribe:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["sub"]})
        if claims.get("typ") != TOKEN_TYPE:
            raise InvalidUnsubscribeToken("not an unsubscribe token")
        return Unsubscribe(UUID(claims["hh"]), UUID(claims["sub"]), str(claims["kind"]))
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise InvalidUnsubscribeToken(str(exc)) from exc


def unsubscribe_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}"


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058: a mail client may unsubscribe with one POST, no page, no sign-in."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def app_url(public_url: str, fragment: str = "") -> str:
    return f"{public_url.rstrip('/')}/{fragment}"
