"""A member's notifications: list them newest first, count and mark the unread ones.

Marking read also tells the member's other open pages, through their stream, so every tab's badge agrees.
"""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notification import stream_messages
from services.notification.auth import Member
from services.notification.models import notification
from services.notification.stream_messages import ENTITY_CHANGED, Outgoing
from shared.errors import NotFound
from shared.pages import Page, PageRequest, fetch_page

SHOWN = (
    notification.c.id,
    notification.c.seq,
    notification.c.kind,
    notification.c.text,
    notification.c.entity,
    notification.c.entity_id,
    notification.c.list_id,
    notification.c.actor_id,
    notification.c.created_at,
    notification.c.read_at,
)


def _mine(member: Member):
    return (notification.c.household_id == member.household_id) & (
        notification.c.user_id == member.user_id
    )


async def list_notifications(
    session: AsyncSession, member: Member, page: PageRequest, unread_only: bool
) -> Page:
    query = select(*SHOWN).where(_mine(member))
    if unread_only:
        query = query.where(notification.c.read_at.is_(None))
    return await fetch_page(session, query, (notification.c.seq,), page, descending=True)


async def unread_count(session: AsyncSession, member: Member) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(notification)
        .where(_mine(member), notification.c.read_at.is_(None))
    )


async def mark_read(session: AsyncSession, member: Member, notification_id: UUID) -> None:
    """Idempotent: marking a read notification again changes nothing and says nothing."""
    async with session.begin():
        found = (
            await session.execute(
                select(notification.c.read_at)
                .where(_mine(member), notification.c.id == notification_id)
                .with_for_update()
            )
        ).first()
        if found is None:
            raise NotFound("No such notification.")
        if found.read_at is not None:
            return
        await session.execute(
            update(notification)
            .where(notification.c.id == notification_id)
            .values(read_at=datetime.now(UTC))
        )
        change = {"entity": "notification", "id": str(notification_id), "change": "read"}
        await stream_messages.append(
            session, member.household_id, [Outgoing(member.user_id, ENTITY_CHANGED, change)]
        )


async def mark_all_read(session: AsyncSession, member: Member, up_to: int | None) -> int:
    """Mark every unread notification read (up to the `seq` the page has seen); how many were."""
    async with session.begin():
        query = update(notification).where(_mine(member), notification.c.read_at.is_(None))
        if up_to is not None:
            query = query.where(notification.c.seq <= up_to)
        marked = (await session.execute(query.values(read_at=datetime.now(UTC)))).rowcount
        if marked:
            change = {"entity": "notification", "id": None, "change": "all_read"}
            if up_to is not None:
                change["up_to"] = up_to
            await stream_messages.append(
                session, member.household_id, [Outgoing(member.user_id, ENTITY_CHANGED, change)]
            )
        return marked
