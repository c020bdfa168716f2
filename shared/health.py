"""`/healthz` (the process is alive) and `/readyz` (its database and its sidecar answer)."""

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


async def sidecar_ready(request: Request) -> bool:
    return await request.app.state.dapr.is_healthy()


CHECKS: dict[str, Check] = {"database": database_ready, "sidecar": sidecar_ready}


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    results = await asyncio.gather(*(check(request) for check in CHECKS.values()))
    checks = {name: "ok" if ok else "down" for name, ok in zip(CHECKS, results, strict=True)}
    ready = all(results)
    return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status_code=200 if ready else 503)
