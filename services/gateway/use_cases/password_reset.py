"""Password reset: "Forgot password" mails a one-time link; the link sets a new password once.

* The answer to a request is the same whether or not the address has an account, and so is what is
  stored (a request row either way), so neither the answer nor the throttle tells them apart.
* Requests are throttled: per client address a 429 (it says nothing of any account), per e-mail
  address silently (the answer stays the same; only the mail is not sent again).
* The link's secret is random (256 bits), stored as its hash, good once and for a short while. The mail
  is sent by the notification service from the `account.password_reset_requested` event, which carries
  the address and the secret sealed (shared.sealed): the audit log stores the event, and must not be
  able to reset anyone's password.
* Setting the new password checks the password rules, ends every session of the account (its refresh
  tokens are revoked) and spends every other link still open for it.
"""

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.gateway.config import Settings
from services.gateway.models import outbox, utcnow
from services.gateway.models.accounts import RefreshToken, UserAccount, normalize_email
from services.gateway.models.password_resets import PasswordReset
from services.gateway.passwords import password_problem
from services.gateway.security import hash_password, hash_token, throttle_key
from shared.errors import Gone, InvalidInput, TooManyRequests
from shared.events.accounts import PasswordResetRequested
from shared.outbox import add_event
from shared.sealed import seal

ACCEPTED = (
    "If an account uses this address, we have sent it a link to set a new password. "
    "It works once, within {minutes} minutes; check your spam folder if it does not arrive."
)
SPENT = "This link has expired or was already used; ask for a new one on the login page."


async def request_reset(session: AsyncSession, settings: Settings, email: str, address: str) -> str:
    """Record the request and, for an account not asked for too often, stage its mail; the answer."""
    email, key, now = normalize_email(email), throttle_key(address), utcnow()
    since = now - timedelta(seconds=settings.password_reset_window_s)
    async with session.begin():
        # one request per address at a time, so concurrent ones count each other
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"reset:{email}"))))
        from_client = await session.scalar(
            select(func.count())
            .select_from(PasswordReset)
            .where(col(PasswordReset.client_ip) == key, col(PasswordReset.requested_at) > since)
        )
        if (from_client or 0) >= settings.password_reset_max_per_client:
            wait = settings.password_reset_window_s
            raise TooManyRequests(
                "Too many password reset requests from here; please try again later.", wait
            )
        for_email = await session.scalar(
            select(func.count())
            .select_from(PasswordReset)
            .where(col(PasswordReset.email) == email, col(PasswordReset.requested_at) > since)
        )
        user = await session.scalar(select(UserAccount).where(col(UserAccount.email) == email))
        ttl = timedelta(seconds=settings.password_reset_ttl_s)
        reset = PasswordReset(
            id=uuid.uuid4(), email=email, client_ip=key, requested_at=now, expires_at=now + ttl
        )
        if user is not None and (for_email or 0) < settings.password_reset_max_per_email:
            token = secrets.token_urlsafe(32)
            reset.user_id, reset.token_hash = user.id, hash_token(token)
            content = {"address": user.email, "display_name": user.display_name, "token": token}
            secret = settings.jwt_secret.get_secret_value()
            await add_event(
                session,
                outbox,
                PasswordResetRequested(
                    user_id=user.id,
                    reset_id=reset.id,
                    expires_at=reset.expires_at,
                    sealed_mail=seal(secret, "password_reset", content),
                ),
            )
        session.add(reset)
    return ACCEPTED.format(minutes=settings.password_reset_ttl_s // 60)


async def reset_password(
    session: AsyncSession, settings: Settings, token: str, password: str
) -> None:
    """Set the account's new password with the link's secret; every session of the account ends."""
    password_hash = await hash_password(password)  # off the loop, before any row is locked
    now = utcnow()
    async with session.begin():
        reset = await session.scalar(
            select(PasswordReset)
            .where(col(PasswordReset.token_hash) == hash_token(token))
            .with_for_update()
        )
        if reset is None or reset.user_id is None or reset.used_at or reset.expires_at <= now:
            raise Gone(SPENT, {"reason": "spent"})
        user = await session.get_one(UserAccount, reset.user_id, with_for_update=True)
        problem = password_problem(password, user.email, user.display_name)
        if problem:
            raise InvalidInput("password", problem)
        user.password_hash = password_hash
        await session.execute(
            update(PasswordReset)
            .where(col(PasswordReset.user_id) == user.id, col(PasswordReset.used_at).is_(None))
            .values(used_at=now)
        )
        await session.execute(
            update(RefreshToken)
            .where(col(RefreshToken.user_id) == user.id, col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )
