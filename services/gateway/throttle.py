"""Login throttling: slow a password guesser down without letting a stranger lock the owner out.

The scheme is OWASP's "Slow Down Online Guessing Attacks with Device Cookies", with the per-address
limit and backoff of OWASP's authentication cheat sheet:

- **Familiar browsers.** A successful sign-in (or sign-up) leaves a *device cookie* in the browser: a
  signed token naming the account (`services.gateway.security`). A login for that account from that
  browser is *trusted*: none of the limits below apply to it, only its own — after
  LOGIN_MAX_FAILURES_PER_DEVICE failures within the window the cookie is no longer trusted and the
  browser is treated as unfamiliar. Failures elsewhere never touch it, so whoever guesses from
  anywhere else cannot lock the owner out of the browser they use.
- **Everyone else** (no device cookie, or one of another account) is *untrusted*, and must pass:
  1. **per address**: LOGIN_MAX_FAILURES_PER_IP untrusted failures from one client address within the
     window, over every account (a whole family may share an address), block that address;
  2. **per account and address, exponential backoff**: after 3 failures of one account from one
     address, the next try waits LOGIN_BACKOFF_BASE_S, doubling with every further failure (capped
     at the window): a typo costs nothing, a guesser slows down fast;
  3. **per account**: LOGIN_MAX_FAILURES_PER_EMAIL untrusted failures of one account within the window,
     from anywhere, block *unfamiliar* clients for that account — the defence against guessing from
     many addresses. A *familiar address* (one the account signed in from within LOGIN_TRUST_TTL_S) is
     exempt: it is still held by rules 1 and 2, so an attacker elsewhere cannot lock the owner out at
     home either, even in a browser without the cookie.

A sign-up with an email that already has an account is counted as a failure too (it tells whoever
tries that the email has an account), under rules 1 and 2.

Invitation codes that do not exist (looked up by the join page before signing in, or tried by
joining) are held by rules 1 and 2 in a budget of their own per address, `code_lookups(address)`
standing for both the account and the address: a few typos cost nothing, and guessing codes (~40 bits,
single use, expiring) slows down fast, without costing the family at that address their sign-ins.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# failures of one account from one address that cost no wait: typos
FREE_FAILURES = 3


@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_address: int
    per_account: int
    per_device: int
    backoff_base: timedelta


@dataclass(frozen=True)
class Failures:
    """The failed attempts within the window that bear on one login attempt."""

    from_address: tuple[datetime, ...] = ()  # untrusted, from this address, any account
    of_account_from_address: tuple[datetime, ...] = ()  # untrusted, this account from this address
    of_account: tuple[datetime, ...] = ()  # untrusted, this account from anywhere
    of_device: tuple[datetime, ...] = ()  # this browser's device cookie, for this account


@dataclass(frozen=True)
class Wait:
    seconds: int
    reason: str  # the rule that says so: "address", "account_address" or "account"


def retry_after(
    failures: Iterable[datetime], now: datetime, max_failures: int, window: timedelta
) -> int | None:
    """Seconds until another attempt is allowed, or None when it is allowed now.

    Blocked while `max_failures` or more failures lie within the last `window`; it lifts as soon as
    enough of them have aged out of it.
    """
    recent = sorted(t for t in failures if t > now - window)
    if len(recent) < max_failures:
        return None
    # the attempt is allowed again when all but max_failures - 1 of the recent failures have aged out
    frees_at = recent[len(recent) - max_failures] + window
    return _seconds(frees_at - now)


def backoff(
    failures: Iterable[datetime], now: datetime, base: timedelta, window: timedelta
) -> int | None:
    """Seconds to wait after the latest failure: none for the first FREE_FAILURES, then `base`
    doubling with each further one, never longer than the window."""
    recent = [t for t in failures if t > now - window]
    if len(recent) < FREE_FAILURES or base <= timedelta(0):
        return None
    doublings = min(len(recent) - FREE_FAILURES, 32)  # 2**32 seconds is far past any window
    frees_at = max(recent) + min(base * 2**doublings, window)
    return _seconds(frees_at - now) if frees_at > now else None


def device_trusted(has_device: bool, failures: Failures, limits: Limits, now: datetime) -> bool:
    """Whether the attempt comes from a browser familiar to the account that has not lost that trust."""
    return (
        has_device
        and retry_after(failures.of_device, now, limits.per_device, limits.window) is None
    )


def wait_before_login(
    failures: Failures,
    limits: Limits,
    now: datetime,
    *,
    trusted_device: bool,
    familiar_address: bool,
) -> Wait | None:
    """How long this attempt must wait, and which rule says so; None when it may go ahead."""
    if trusted_device:
        return None
    candidates = [
        ("address", retry_after(failures.from_address, now, limits.per_address, limits.window)),
        (
            "account_address",
            backoff(failures.of_account_from_address, now, limits.backoff_base, limits.window),
        ),
        (
            "account",
            None
            if familiar_address
            else retry_after(failures.of_account, now, limits.per_account, limits.window),
        ),
    ]
    waits = [Wait(seconds, reason) for reason, seconds in candidates if seconds is not None]
    return max(waits, key=lambda w: w.seconds, default=None)


def wait_before_sign_up(failures: Failures, limits: Limits, now: datetime) -> Wait | None:
    """A sign-up with a taken email counts as a failure (it tells that the email has an account), so
    sign-ups from an address are held by the per-address limit and per-account backoff too. Not by the
    per-account limit: that would let a stranger keep someone from signing up with their own email."""
    return wait_before_login(failures, limits, now, trusted_device=False, familiar_address=True)


def code_lookups(address: str) -> str:
    """What an address's unknown invitation codes are counted under, as both the email (never one: it
    has no @) and the address (never one either), so they never count against sign-ins."""
    return f"invitation codes from {address}"


def wait_before_code_lookup(failures: Failures, limits: Limits, now: datetime) -> Wait | None:
    """Unknown invitation codes from an address: held by the per-address limit and the backoff, as
    a sign-up is."""
    return wait_before_sign_up(failures, limits, now)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))
