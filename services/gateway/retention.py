"""Retention of the accounts' leftovers: rows that can no longer decide anything are forgotten.

* a failed login counts for the throttle only within LOGIN_FAILURE_WINDOW_S (services/gateway/throttle.py):
  older ones go;
* a refresh token past its expiry is refused whatever its row says, and so is an invitation: they go
  ACCOUNT_ROWS_RETENTION_DAYS after they expired (meanwhile an old code still gets "expired" rather than
  "unknown", and a stolen token's reuse is still told from a stranger's).

The gateway runs it beside its outbox relay (services/gateway/main.py), in every worker: each round
takes its rows with SKIP LOCKED, so workers and replicas share the work instead of waiting on each other.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from services.gateway.models.accounts import LoginAttempt, RefreshToken
from services.gateway.models.households import Invitation
from shared.worker import Retention, running


async def prune_accounts(
    engine: AsyncEngine, now: datetime, window: timedelta, expired_for: timedelta, limit: int
) -> dict[str, int]:
    """Delete up to `limit` failed logins older than the throttle `window`, and up to `limit` refresh
    tokens and invitations expired for longer than `expired_for`, in one transaction; how many of each."""
    stale = {
        "login_attempts": (
            LoginAttempt,
            col(LoginAttempt.id),
            col(LoginAttempt.attempted_at) < now - window,
        ),
        "refresh_tokens": (
            RefreshToken,
            col(RefreshToken.id),
            col(RefreshToken.expires_at) < now - expired_for,
        ),
        "invitations": (
            Invitation,
            col(Invitation.id),
            col(Invitation.expires_at) < now - expired_for,
        ),
    }
    pruned = {}
    async with engine.begin() as conn:
        for kind, (model, key, older) in stale.items():
            doomed = select(key).where(older).limit(limit).with_for_update(skip_locked=True)
            gone = await conn.execute(delete(model).where(key.in_(doomed.scalar_subquery())))
            pruned[kind] = gone.rowcount
    return pruned


def account_retention(
    engine: AsyncEngine,
    window: timedelta,
    expired_for: timedelta,
    interval_s: float,
    batch_size: int = 1000,
) -> Retention:
    # `before` is the round's now: each kind's cut-off is its own, measured from it
    return Retention(
        "accounts",
        lambda before, limit: prune_accounts(engine, before, window, expired_for, limit),
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
