"""Retention of the accounts' leftovers: rows that can no longer decide anything are forgotten.

* a failed login counts for the throttle only within LOGIN_FAILURE_WINDOW_S (services/gateway/throttle.py):
  older ones go;
* a refresh token past its expiry is refused whatever its row says, and so are an invitation and a
  password-reset link: they go ACCOUNT_ROWS_RETENTION_DAYS after they expired (meanwhile an old code
  still gets "expired" rather than "unknown", a stolen token's reuse is still told from a stranger's,
  and reset requests are throttled from their rows);
* a revoked calendar feed answers as an unknown one does: it goes ACCOUNT_ROWS_RETENTION_DAYS after it
  was revoked (the audit log keeps that it was).

The gateway runs it beside its outbox relay (services/gateway/main.py), in every worker: each round
takes its rows with SKIP LOCKED, so workers and replicas share the work instead of waiting on each other.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from services.gateway.models.accounts import LoginAttempt, RefreshToken
from services.gateway.models.calendar_feeds import CalendarFeed
from services.gateway.models.households import Invitation
from services.gateway.models.password_resets import PasswordReset
from shared.worker import Retention, Stale, running, stale_rows_retention


def stale_account_rows(window: timedelta, expired_for: timedelta) -> dict[str, Stale]:
    """Failed logins out of the throttle's `window`; refresh tokens, invitations and password-reset
    links expired for longer than `expired_for`; calendar feeds revoked that long ago."""

    def expired(column: Any) -> Callable[[datetime], ColumnElement[bool]]:
        return lambda now: column < now - expired_for

    return {
        "login_attempts": Stale(
            LoginAttempt,
            (col(LoginAttempt.id),),
            lambda now: col(LoginAttempt.attempted_at) < now - window,
        ),
        "refresh_tokens": Stale(
            RefreshToken,
            (col(RefreshToken.id),),
            expired(col(RefreshToken.expires_at)),
        ),
        "invitations": Stale(
            Invitation,
            (col(Invitation.id),),
            expired(col(Invitation.expires_at)),
        ),
        "password_resets": Stale(
            PasswordReset,
            (col(PasswordReset.id),),
            expired(col(PasswordReset.expires_at)),
        ),
        "calendar_feeds": Stale(
            CalendarFeed,
            (col(CalendarFeed.id),),
            expired(col(CalendarFeed.revoked_at)),
        ),
    }


def account_retention(
    engine: AsyncEngine,
    window: timedelta,
    expired_for: timedelta,
    interval_s: float,
    batch_size: int = 1000,
) -> Retention:
    # retention 0: `before` is the round's now, and each kind measures its own cut-off from it
    return stale_rows_retention(
        "accounts",
        engine,
        stale_account_rows(window, expired_for),
        timedelta(0),
        interval_s,
        batch_size,
    )


@asynccontextmanager
async def keep_accounts_pruned(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    async with running(
        account_retention(
            app.state.engine,
            timedelta(seconds=settings.login_failure_window_s),
            timedelta(days=settings.account_rows_retention_days),
            settings.account_prune_interval_s,
        )
    ):
        yield
