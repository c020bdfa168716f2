"""Account use cases: sign-up, login (throttled), refresh-token rotation, logout, who am I."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.config import Settings
from services.gateway.models import utcnow
from services.gateway.models.accounts import (
    AuthTokens, LogIn, LoginAttempt, Me, RefreshToken, SignUp, UserAccount, UserPublic, normalize_email,
)
from services.gateway.security import (
    hash_password, hash_token, needs_rehash, new_refresh_token, retry_after, verify_password,
)
from services.gateway.services.households import list_households
from shared.errors import Conflict, TooManyRequests, Unauthorized
from shared.tokens import create_access_token

# a rotated-away token presented again this soon is a race between two tabs, not a theft
REUSE_GRACE = timedelta(seconds=30)
# advisory lock classes: one login at a time per email and per client IP, across gateway replicas
_LOCK_EMAIL, _LOCK_IP = 7001, 7002


async def sign_up(session: AsyncSession, settings: Settings, data: SignUp) -> AuthTokens:
    password_hash = await hash_password(data.password)
    now = utcnow()
    async with session.begin():
        user_id = await session.scalar(
            insert(UserAccount)
            .values(id=uuid.uuid4(), email=normalize_email(data.email), display_name=data.display_name,
                    password_hash=password_hash, created_at=now)
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(UserAccount.id)
        )
        if user_id is None:
            raise Conflict("An account with this email already exists; log in instead.")
        user = await session.get_one(UserAccount, user_id)
        return await _issue_tokens(session, settings, user, uuid.uuid4(), now)


async def log_in(session: AsyncSession, settings: Settings, data: LogIn, client_ip: str) -> AuthTokens:
    email = normalize_email(data.email)
    now = utcnow()
    window = timedelta(seconds=settings.login_failure_window_s)
    async with session.begin():
        await session.execute(text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"), {"c": _LOCK_EMAIL, "k": email})
        await session.execute(text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"), {"c": _LOCK_IP, "k": client_ip})
        wait = await _throttled_for(session, settings, email, client_ip, now, window)
        if wait is not None:
            raise TooManyRequests(
                f"Too many failed logins; please wait {_minutes(wait)} before trying again.", retry_after_s=wait
            )
        user = await session.scalar(select(UserAccount).where(UserAccount.email == email))
        if await verify_password(user.password_hash if user else None, data.password):
            await session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
            if needs_rehash(user.password_hash):
                user.password_hash = await hash_password(data.password)
            return await _issue_tokens(session, settings, user, uuid.uuid4(), now)
        session.add(LoginAttempt(email=email, client_ip=client_ip, attempted_at=now))
        # what has aged out of the window is of no use to the throttle any more
        await session.execute(
            delete(LoginAttempt).where(
                (LoginAttempt.email == email) | (LoginAttempt.client_ip == client_ip),
                LoginAttempt.attempted_at <= now - window,
            )
        )
    # after the transaction: the failure must be recorded, not rolled back with the error
    raise Unauthorized("Wrong email or password.")


async def _throttled_for(
    session: AsyncSession, settings: Settings, email: str, client_ip: str, now: datetime, window: timedelta
) -> int | None:
    since = now - window
    by_email = await session.scalars(
        select(LoginAttempt.attempted_at).where(LoginAttempt.email == email, LoginAttempt.attempted_at > since)
    )
    by_ip = await session.scalars(
        select(LoginAttempt.attempted_at).where(LoginAttempt.client_ip == client_ip, LoginAttempt.attempted_at > since)
    )
    waits = [
        retry_after(by_email.all(), now, settings.login_max_failures_per_email, window),
        retry_after(by_ip.all(), now, settings.login_max_failures_per_ip, window),
    ]
    return max((w for w in waits if w is not None), default=None)


def _minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return "a minute" if minutes == 1 else f"{minutes} minutes"


async def refresh(session: AsyncSession, settings: Settings, token: str | None) -> AuthTokens:
    """Trade a refresh token for new tokens; the old one stops working (rotation)."""
    if not token:
        raise Unauthorized("Please sign in again: there is no refresh token.")
    now = utcnow()
    async with session.begin():
        stored = await session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == hash_token(token)).with_for_update()
        )
        valid = stored is not None and stored.revoked_at is None and stored.expires_at > now
        if valid:
            stored.revoked_at = now
            user = await session.get_one(UserAccount, stored.user_id)
            return await _issue_tokens(session, settings, user, stored.family_id, now)
        if stored is not None and stored.revoked_at is not None and stored.revoked_at < now - REUSE_GRACE:
            # a rotated-away token used again: someone else holds a copy, so end the whole session
            await _revoke_family(session, stored.family_id, now)
    raise Unauthorized("Your session has ended; please sign in again.")


async def log_out(session: AsyncSession, token: str | None) -> None:
    """End the session the refresh token belongs to; unknown or missing tokens are fine (idempotent)."""
    if not token:
        return
    async with session.begin():
        family_id = await session.scalar(
            select(RefreshToken.family_id).where(RefreshToken.token_hash == hash_token(token))
        )
        if family_id is not None:
            await _revoke_family(session, family_id, utcnow())


async def _revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def _issue_tokens(
    session: AsyncSession, settings: Settings, user: UserAccount, family_id: uuid.UUID, now: datetime
) -> AuthTokens:
    refresh_token = new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id, family_id=family_id, token_hash=hash_token(refresh_token), created_at=now,
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
        )
    )
    await session.flush()
    ttl = timedelta(seconds=settings.access_token_ttl_s)
    return AuthTokens(
        access_token=create_access_token(user.id, settings.jwt_secret.get_secret_value(), now, ttl),
        refresh_token=refresh_token,
        expires_in=settings.access_token_ttl_s,
        user=UserPublic.model_validate(user, from_attributes=True),
    )


async def get_me(session: AsyncSession, user_id: uuid.UUID) -> Me:
    async with session.begin():
        user = await session.get(UserAccount, user_id)
    if user is None:
        raise Unauthorized("This account no longer exists; please sign in again.")
    households = await list_households(session, user_id)
    return Me(**UserPublic.model_validate(user, from_attributes=True).model_dump(), households=households)
