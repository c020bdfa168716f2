"""What the login throttle remembers, in the database so every gateway replica counts the same
failures: failed attempts for the window, and the addresses each account signed in from.
The rules themselves are pure, in services/gateway/throttle.py."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.config import Settings
from services.gateway.models.accounts import KnownAddress, LoginAttempt
from services.gateway.throttle import Failures, Limits, Wait

# advisory lock classes: one attempt at a time per email, per client address and per browser, across
# gateway replicas, so two attempts cannot both pass a limit that only one of them had left
_LOCK_EMAIL, _LOCK_ADDRESS, _LOCK_DEVICE = 7001, 7002, 7003


def limits_of(settings: Settings) -> Limits:
    return Limits(
        window=timedelta(seconds=settings.login_failure_window_s),
        per_address=settings.login_max_failures_per_ip,
        per_account=settings.login_max_failures_per_email,
        per_device=settings.login_max_failures_per_device,
        backoff_base=timedelta(seconds=settings.login_backoff_base_s),
    )


async def lock(
    session: AsyncSession, email: str, address: str, device_id: str | None = None
) -> None:
    """Serialise attempts on the same email, address or browser until the transaction ends (always in
    this order, so two attempts never wait for each other in a circle)."""
    for lock_class, key in (
        (_LOCK_EMAIL, email),
        (_LOCK_ADDRESS, address),
        (_LOCK_DEVICE, device_id),
    ):
        if key is not None:
            await session.execute(
                text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"), {"c": lock_class, "k": key}
            )


async def failures(
    session: AsyncSession, email: str, address: str, device_id: str | None, since: datetime
) -> Failures:
    bearing = [LoginAttempt.email == email, LoginAttempt.client_ip == address]
    if device_id is not None:
        bearing.append(LoginAttempt.device_id == device_id)
    rows = (
        await session.execute(
            select(
                LoginAttempt.email,
                LoginAttempt.client_ip,
                LoginAttempt.device_id,
                LoginAttempt.attempted_at,
            ).where(LoginAttempt.attempted_at > since, or_(*bearing))
        )
    ).all()
    untrusted = [r for r in rows if r.device_id is None]
    return Failures(
        from_address=tuple(r.attempted_at for r in untrusted if r.client_ip == address),
        of_account_from_address=tuple(
            r.attempted_at for r in untrusted if r.email == email and r.client_ip == address
        ),
        of_account=tuple(r.attempted_at for r in untrusted if r.email == email),
        of_device=tuple(
            r.attempted_at for r in rows if device_id is not None and r.device_id == device_id
        ),
    )


async def record_failure(
    session: AsyncSession,
    email: str,
    address: str,
    device_id: str | None,
    now: datetime,
    window: timedelta,
) -> None:
    session.add(LoginAttempt(email=email, client_ip=address, device_id=device_id, attempted_at=now))
    # what has aged out of the window is of no use to the throttle any more
    await session.execute(
        delete(LoginAttempt).where(
            or_(LoginAttempt.email == email, LoginAttempt.client_ip == address),
            LoginAttempt.attempted_at <= now - window,
        )
    )


async def forgive(session: AsyncSession, email: str, address: str, device_id: str | None) -> None:
    """After a successful login: the failures of this account from this address (and this browser) were
    most likely the owner's own typos. Failures elsewhere stay: a guesser gets no fresh tries from it."""
    mine = and_(
        LoginAttempt.email == email,
        LoginAttempt.client_ip == address,
        LoginAttempt.device_id.is_(None),
    )
    if device_id is not None:
        mine = or_(mine, LoginAttempt.device_id == device_id)
    await session.execute(delete(LoginAttempt).where(mine))


async def is_familiar(
    session: AsyncSession, user_id: uuid.UUID | None, address: str, since: datetime
) -> bool:
    """Whether the account signed in from this address lately (asked for unknown emails too, so the
    answer takes as long whether or not the account exists)."""
    return (
        await session.scalar(
            select(KnownAddress.user_id).where(
                KnownAddress.user_id == user_id,
                KnownAddress.client_ip == address,
                KnownAddress.last_login_at > since,
            )
        )
        is not None
    )


async def remember_address(
    session: AsyncSession, user_id: uuid.UUID, address: str, now: datetime, ttl: timedelta
) -> None:
    await session.execute(
        insert(KnownAddress)
        .values(user_id=user_id, client_ip=address, last_login_at=now)
        .on_conflict_do_update(index_elements=["user_id", "client_ip"], set_={"last_login_at": now})
    )
    await session.execute(
        delete(KnownAddress).where(
            KnownAddress.user_id == user_id, KnownAddress.last_login_at <= now - ttl
        )
    )


def wait_message(wait: Wait) -> str:
    """What a throttled person reads: how long, and what else they can do."""
    after = f"please wait {_duration(wait.seconds)} before trying again"
    if wait.reason == "address":
        return f"Too many failed logins from your network; {after}."
    if wait.reason == "account":
        return (
            f"Too many failed logins for this email from browsers it has not signed in from; {after}, "
            "or log in from a browser or network you have used before."
        )
    return f"Too many failed logins; {after}."


def code_wait_message(wait: Wait) -> str:
    return (
        "Too many invitation codes that do not exist were tried from your network; please wait "
        f"{_duration(wait.seconds)} before trying again, or ask for the link again."
    )


def _duration(seconds: int) -> str:
    if seconds < 60:
        return "a second" if seconds == 1 else f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return "a minute" if minutes == 1 else f"{minutes} minutes"
