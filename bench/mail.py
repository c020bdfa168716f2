"""Mail: how many mails a second the notification service's sender hands to the stack's SMTP server
(the local mail catcher, which writes each one to a file).

The mails are written straight into the mail outbox as the notification role (the table and the
NOTIFY its event handlers write), so the figure is the sender's own: claim a row with FOR UPDATE SKIP
LOCKED, one SMTP conversation, mark it sent.
"""

import asyncio
import json
import time
import uuid

import asyncpg

from bench.common import load_average, write_result
from scripts.stack.processes import Stack

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
