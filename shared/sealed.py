"""Sealed fields: secrets an event must carry to one consumer without anyone else reading them.

Events are stored by the audit log and shown to household admins, and travel through Kafka; an
e-mail address or a one-time link in clear text there would leak. A sealed field is the JSON of what
it holds, encrypted and authenticated with AES-GCM under a key derived from a secret the gateway and
the notification service share, and from the field's purpose, so a value sealed for one purpose never
opens as another. Everyone else sees an opaque string.
"""

import base64
import hashlib
import hmac
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class Unsealable(Exception):
    """The value was not sealed with this secret for this purpose, or was changed since."""


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"giftflow sealed {purpose}".encode(), hashlib.sha256).digest()


def seal(secret: str, purpose: str, content: dict) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(secret, purpose)).encrypt(
        nonce, json.dumps(content).encode(), purpose.encode()
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(secret: str, purpose: str, value: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        opened = AESGCM(_key(secret, purpose)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()
        )
        content = json.loads(opened)
    except (InvalidTag, ValueError) as exc:
        raise Unsealable(purpose) from exc
    if not isinstance(content, dict):
        raise Unsealable(purpose)
    return content


def sealed_address(secret: str | None, address: str) -> str | None:
    """An e-mail address sealed for the mail channel; None when there is no secret to seal it with."""
    return seal(secret, "address", {"address": address}) if secret else None
