"""Account use cases: sign-up, login (throttled), refresh-token rotation, logout, who am I.

Who has an account is told as little as the flow allows. A login answers "Wrong email or password."
whether the email is unknown or the password wrong, after the same argon2 work (a dummy hash for unknown
emails), and failures count by email either way. A sign-up with a taken email cannot answer like a
fresh one while signing up signs straight in (there is no email confirmation to send instead): it
answers 409, put on the email field; it costs the same hashing time as a fresh one and counts as a
failed attempt, so probing many emails from one address is throttled like guessing passwords.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.config import Settings
from services.gateway.models import utcnow
from services.gateway.models.accounts import (
    AuthTokens,
    LogIn,
    Me,
    RefreshToken,
    SignUp,
    UserAccount,
    UserPublic,
    normalize_email,
)
from services.gateway.security import (
    Device,
    hash_password,
    hash_token,
    needs_rehash,
    new_device_id,
    new_device_token,
    new_refresh_token,
    read_device_token,
    throttle_key,
    verify_password,
)
from services.gateway.throttle import device_trusted, wait_before_login, wait_before_sign_up
from services.gateway.use_cases import login_throttle as throttle_store
from services.gateway.use_cases.households import list_households
from shared.errors import Conflict, TooManyRequests, Unauthorized
from shared.tokens import create_access_token

# a rotated-away token presented again this soon is a race between two tabs, not a theft
REUSE_GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class SignedIn:
    tokens: AuthTokens
    # the device cookie: this browser is now familiar to the account (see services.gateway.throttle)
    device_token: str


async def sign_up(
    session: AsyncSession, settings: Settings, data: SignUp, address: str
) -> SignedIn:
    password_hash = await hash_password(data.password)
    email, key, now = normalize_email(data.email), throttle_key(address), utcnow()
    limits = throttle_store.limits_of(settings)
    async with session.begin():
        await throttle_store.lock(session, email, key)
        wait = wait_before_sign_up(
            await throttle_store.failures(session, email, key, None, now - limits.window),
            limits,
            now,
        )
        if wait is not None:
            raise TooManyRequests(throttle_store.wait_message(wait), retry_after_s=wait.seconds)
        user_id = await session.scalar(
            insert(UserAccount)
            .values(
                id=uuid.uuid4(),
                email=email,
                display_name=data.display_name,
                password_hash=password_hash,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(UserAccount.id)
        )
        if user_id is not None:
            user = await session.get_one(UserAccount, user_id)
            return await _sign_in(session, settings, user, key, now)
        await throttle_store.record_failure(session, email, key, None, now, limits.window)
    # after the transaction: the attempt must be recorded, not rolled back with the error
    message = (
        "This email cannot be used for a new account; if you already have one, log in instead."
    )
    raise Conflict(message, details=[{"field": "email", "problem": message}])


async def log_in(
    session: AsyncSession, settings: Settings, data: LogIn, address: str, device_token: str | None
) -> SignedIn:
    """Check the password, unless the throttle says to wait first (see services.gateway.throttle)."""
    email, key, now = normalize_email(data.email), throttle_key(address), utcnow()
    limits = throttle_store.limits_of(settings)
    trust_since = now - timedelta(seconds=settings.login_trust_ttl_s)
    claimed = read_device_token(device_token, settings.jwt_secret.get_secret_value())
    async with session.begin():
        await throttle_store.lock(session, email, key, claimed.id if claimed else None)
        user = await session.scalar(select(UserAccount).where(UserAccount.email == email))
        # a device cookie vouches only for the account it was given by
        device = claimed if claimed and user and claimed.user_id == user.id else None
        failures = await throttle_store.failures(
            session, email, key, device.id if device else None, now - limits.window
        )
        trusted = device_trusted(device is not None, failures, limits, now)
        familiar = await throttle_store.is_familiar(
            session, user.id if user else None, key, trust_since
        )
        wait = wait_before_login(
            failures, limits, now, trusted_device=trusted, familiar_address=familiar
        )
        if wait is not None:
            raise TooManyRequests(throttle_store.wait_message(wait), retry_after_s=wait.seconds)
        if await verify_password(user.password_hash if user else None, data.password):
            await throttle_store.forgive(session, email, key, device.id if device else None)
            if needs_rehash(user.password_hash):
                user.password_hash = await hash_password(data.password)
            return await _sign_in(session, settings, user, key, now)
        await throttle_store.record_failure(
            session, email, key, device.id if trusted else None, now, limits.window
        )
    # after the transaction: the failure must be recorded, not rolled back with the error
    raise Unauthorized("Wrong email or password.")


async def _sign_in(
    session: AsyncSession, settings: Settings, user: UserAccount, key: str, now: datetime
) -> SignedIn:
    """Tokens for `user`, and this address and browser remembered as familiar to the account (a new
    device cookie each time, so one that lost its trust by failures has it back once the password is right)."""
    ttl = timedelta(seconds=settings.login_trust_ttl_s)
    await throttle_store.remember_address(session, user.id, key, now, ttl)
    device = Device(new_device_id(), user.id)
    tokens = await _issue_tokens(session, settings, user, uuid.uuid4(), now)
    return SignedIn(
        tokens, new_device_token(device, settings.jwt_secret.get_secret_value(), now, ttl)
    )


async def refresh(session: AsyncSession, settings: Settings, token: str | None) -> AuthTokens:
    """Trade a refresh token for new tokens; the old one stops working (rotation)."""
    if not token:
        raise Unauthorized("Please sign in again: there is no refresh token.")
    now = utcnow()
    async with session.begin():
        stored = await session.scalar(
            select(RefreshToken)
            .where(RefreshToken.token_hash == hash_token(token))
            .with_for_update()
        )
        valid = stored is not None and stored.revoked_at is None and stored.expires_at > now
        if valid:
            stored.revoked_at = now
            user = await session.get_one(UserAccount, stored.user_id)
            return await _issue_tokens(session, settings, user, stored.family_id, now)
        if (
            stored is not None
            and stored.revoked_at is not None
            and stored.revoked_at < now - REUSE_GRACE
        ):
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
    session: AsyncSession,
    settings: Settings,
    user: UserAccount,
    family_id: uuid.UUID,
    now: datetime,
) -> AuthTokens:
    refresh_token = new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_token(refresh_token),
            created_at=now,
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
    return Me(
        **UserPublic.model_validate(user, from_attributes=True).model_dump(), households=households
    )
