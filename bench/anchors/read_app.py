"""A bare read endpoint: FastAPI and an asyncpg pool, one indexed query returning a group's 12 items.

What the gateway's reads are judged against: the least a Python web app on this stack can do for a
request that needs one round trip to Postgres and a dozen rows of JSON back.
"""

import os
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg
from fastapi import FastAPI

QUERY = """
SELECT id, title, price, currency, created_at FROM anchor.item
WHERE group_id = $1 ORDER BY created_at DESC LIMIT 50
"""


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(
        os.environ["ANCHOR_DATABASE_URL"], min_size=2, max_size=10
    )
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/groups/{group_id}/items")
async def items(group_id: UUID) -> dict:
    async with app.state.pool.acquire() as db:
        rows = await db.fetch(QUERY, group_id)
    return {"items": [dict(r) for r in rows]}
