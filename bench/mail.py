"""Mail: how many mails a second the notification service's sender hands to the stack's SMTP server
(the local mail catcher, which writes each one to a file), and what building a member's weekly digest
costs for the seeded family.

`mail_send`: the mails are written straight into the mail outbox as the notification role (the table
and the NOTIFY its event handlers write), so the figure is the sender's own: claim a row with FOR
UPDATE SKIP LOCKED, one SMTP conversation, mark it sent.

`digest_build`: for each member of the seeded family (`scripts/seed`), the digest maker's own steps as
the service takes them: the member's week ahead asked of the gateway through the notification
sidecar (Dapr service invocation), what their digest holds back read and locked, the mail composed and
rendered; then rolled back, so the figure can be taken again and no mail is sent.
"""

import asyncio
import json
import statistics
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
from sqlalchemy import func, select

from bench.common import load_average, write_result
from scripts.seed import family, seed
from scripts.stack.processes import Stack
from services.notification.config import Settings
from services.notification.mail.digests import CANDIDATES, DigestMaker, Due, candidate_from
from services.notification.models import member
from shared.dapr import DaprClient
from shared.db import create_engine

DIGEST_ROUNDS = 5

INSERT = """
INSERT INTO notification.mail_message
    (id, dedup_key, kind, to_address, subject, text_body, html_body, headers)
VALUES ($1, $2, 'reminder', 'bench@example.com', 'Reminder: bench', 'Hello', '<p>Hello</p>', $3)
"""


async def mail_send(stack: Stack, mails: int = 300) -> dict:
    db = await asyncpg.connect(stack.t.service_database_url("notification").replace("+asyncpg", ""))
    try:
        rows = [(uuid.uuid4(), f"bench:{uuid.uuid4()}", json.dumps({})) for _ in range(mails)]
        ids = [r[0] for r in rows]
        started = time.monotonic()
        async with db.transaction():
            await db.executemany(INSERT, rows)
            await db.execute("SELECT pg_notify('mail_outbox', '')")
        while True:
            sent = await db.fetchval(
                "SELECT count(*) FROM notification.mail_message WHERE id = ANY($1) "
                "AND status <> 'pending'",
                ids,
            )
            if sent >= mails:
                break
            if time.monotonic() - started > 600:
                raise RuntimeError(f"only {sent} of {mails} mails sent within 600 s")
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        await db.close()
    metrics = {"mails": mails, "mail_send_per_s": mails / elapsed, "load_average": load_average()}
    write_result(
        "mail_send",
        metrics,
        notes="one notification replica, one SMTP conversation per mail, to the local mail catcher",
    )
    return metrics


async def digest_build(stack: Stack) -> dict:
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=120) as client:
        seeded = await seed(client)
    env = stack.t.service_env("notification")
    settings = Settings(
        database_url=env["DATABASE_URL"],
        dapr_http_endpoint=env["DAPR_HTTP_ENDPOINT"],
        dapr_api_token=env["DAPR_API_TOKEN"],
        jwt_secret=env["JWT_SECRET"],
    )
    engine = create_engine(settings.database_url, 2)
    dapr = DaprClient(settings.dapr_http_endpoint, settings.dapr_api_token.get_secret_value())
    maker = DigestMaker(engine, dapr, "", settings)
    household = uuid.UUID(seeded.household_id)
    ours = CANDIDATES.where(member.c.household_id == household)
    try:
        started = time.monotonic()
        while True:  # notification learns of the members, and their addresses, from the events
            async with engine.connect() as conn:
                known = await conn.scalar(select(func.count()).select_from(ours.subquery()))
            if (known or 0) >= len(family.MEMBERS):
                break
            if time.monotonic() - started > 300:
                raise RuntimeError(f"notification knows {known} of {len(family.MEMBERS)} members")
            await asyncio.sleep(0.5)
        async with engine.connect() as conn:
            members = [candidate_from(r) for r in await conn.execute(ours)]
        now = datetime.now(UTC)
        load_before = load_average()
        timings, sizes = [], []
        for round_ in range(DIGEST_ROUNDS + 1):  # the first warms up the gateway and both sidecars
            for candidate in members:
                due = Due(candidate, "weekly", now)
                began = time.perf_counter()
                ahead = await maker.week_ahead(candidate.household_id, candidate.user_id)
                async with engine.connect() as conn:
                    composed = await maker.compose(conn, due, ahead, now)
                    await conn.rollback()
                elapsed = time.perf_counter() - began
                if composed is None:
                    raise RuntimeError("a weekly digest with the week ahead had nothing to say")
                if round_:
                    timings.append(elapsed * 1000)
                    sizes.append(len(composed[0].content.text))
    finally:
        await dapr.aclose()
        await engine.dispose()
    metrics = {
        "members": len(members),
        "digest_build_ms_per_member": statistics.median(timings),
        "digest_build_p95_ms": statistics.quantiles(timings, n=20)[-1],
        "digest_text_chars": statistics.median(sizes),
        "load_avg_1m_before": load_before,
    }
    write_result(
        "digest_build",
        metrics,
        notes=(
            f"median over {DIGEST_ROUNDS} rounds of every seeded member's weekly digest: the week "
            "ahead through the sidecars, the held entries, composed and rendered, rolled back"
        ),
    )
    return metrics
