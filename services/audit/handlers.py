"""Every event lands once as an audit entry (the inbox de-duplicates by event id)."""

from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import audit_entry
from shared.consumer import Envelope


def _uuid_or_none(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


async def record_entry(session: AsyncSession, envelope: Envelope) -> None:
    ce = envelope.cloudevent
    event = envelope.event
    data = ce.data
    hidden = event.hidden_from if event else [u for u in map(_uuid_or_none, data.get("hidden_from", [])) if u]
    await session.execute(
        insert(audit_entry).values(
            event_id=ce.id,
            event_type=ce.type,
            subject=ce.subject,
            household_id=ce.household or _uuid_or_none(data.get("household_id")),
            actor_id=event.actor_id if event else _uuid_or_none(data.get("actor_id")),
            hidden_from=list(hidden),
            occurred_at=ce.time,
            data=data,
        )
    )
