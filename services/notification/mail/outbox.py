"""The mail outbox: a mail is a row before it is a message, written in the transaction that decided it.

`dedup_key` names the decision (the event and the recipient), so an event delivered twice adds one
row; the NOTIFY wakes the sender when the transaction commits, on whichever replica is listening.
"""

import uuid
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.notification.mail.render import Rendered
from services.notification.mail.tables import mail_message

CHANNEL = "mail_outbox"


@dataclass(frozen=True)
class Mail:
    dedup_key: str
    kind: str
    to_address: str
    content: Rendered
    household_id: UUID | None = None
    user_id: UUID | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hidden_persons: tuple[UUID, ...] = ()


async def enqueue(session: AsyncSession | AsyncConnection, mails: list[Mail]) -> None:
    if not mails:
        return
    rows = [
        {
            "id": uuid.uuid4(),
            "dedup_key": m.dedup_key,
            "household_id": m.household_id,
            "user_id": m.user_id,
            "kind": m.kind,
            "to_address": m.to_address,
            "subject": m.content.subject,
            "text_body": m.content.text,
            "html_body": m.content.html,
            "headers": m.headers,
            "hidden_persons": list(m.hidden_persons),
        }
        for m in mails
    ]
    await session.execute(
        insert(mail_message).values(rows).on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    await session.execute(select(func.pg_notify(CHANNEL, "")))
