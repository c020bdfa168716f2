"""`/healthz` (the process is alive), `/healthz/database` (it can write to its database: what its sidecar
checks before delivering events) and `/readyz` (its database and its sidecar answer)."""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(include_in_schema=False)

Check = Callable[[Request], Awaitable[bool]]


async def database_ready(request: Request) -> bool:
    try:
        async with request.app.state.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)
        return True
    except Exception:
        return False


async def database_writable(request: Request) -> bool:
    """The database answers within a second and takes writes (not a read-only standby)."""

    async def ask() -> bool:
        async with request.app.state.engine.connect() as conn:
            return await conn.scalar(
                text("SELECT current_setting('transaction_read_only') = 'off'")
            )

    try:
        return await asyncio.wait_for(ask(), timeout=1)
    except Exception:
        return False


async def sidecar_ready(request: Request) -> bool:
    return await request.app.state.dapr.is_healthy()


CHECKS: dict[str, Check] = {"database": database_ready, "sidecar": sidecar_ready}


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/healthz/database")
async def healthz_database(request: Request) -> JSONResponse:
    # The sidecar's app health check (--app-health-check-path): while it fails, Dapr stops delivering
    # events instead of spending their retries on a database the app cannot write to, and the events
    # wait in Kafka. Liveness stays /healthz: a database outage is no reason to restart the app.
    writable = await database_writable(request)
    state = "ok" if writable else "down"
    return JSONResponse(
        {"status": "ok" if writable else "unavailable", "checks": {"database": state}},
        status_code=200 if writable else 503,
    )


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    results = await asyncio.gather(*(check(request) for check in CHECKS.values()))
    checks = {name: "ok" if ok else "down" for name, ok in zip(CHECKS, results, strict=True)}
    ready = all(results)
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
