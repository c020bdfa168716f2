"""Tag use cases. Tags come into being on gifts; a member sees those on gifts they may see."""

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox
from services.gateway.models.gifts import GiftTag, Tag, TagPublic
from services.gateway.models.households import Member
from services.gateway.surprise import GiftFacts, View, Viewer, gift_view, hidden
from services.gateway.use_cases.audience import gifts_facts, household_viewers, load_viewer
from services.gateway.use_cases.scoped import get_own, require_grown_up
from shared.errors import NotFound
from shared.events.gifting import TagDeleted
from shared.outbox import add_event
from shared.pages import Page, PageRequest, fetch_page


def _sees_tag(viewer: Viewer, gifts: list[GiftFacts]) -> bool:
    return any(gift_view(viewer, g) is not View.HIDDEN for g in gifts)


async def _gifts_by_tag(
    session: AsyncSession, tag_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[GiftFacts]]:
    pairs = (
        await session.execute(
            select(GiftTag.tag_id, GiftTag.gift_id).where(GiftTag.tag_id.in_(tag_ids))
        )
    ).all()
    facts = await gifts_facts(session, {gift_id for _, gift_id in pairs})
    by_tag = defaultdict(list)
    for tag_id, gift_id in pairs:
        by_tag[tag_id].append(facts[gift_id])
    return by_tag


async def list_tags(session: AsyncSession, member: Member, page: PageRequest) -> Page[TagPublic]:
    """The tags on gifts the caller may see, by name."""
    query = select(Tag).where(Tag.household_id == member.household_id)
    async with session.begin():
        viewer = await load_viewer(session, member)

        async def shape(rows: list[Tag]) -> list[TagPublic | None]:
            gifts = await _gifts_by_tag(session, {t.id for t in rows})
            return [
                TagPublic.model_validate(t) if _sees_tag(viewer, gifts[t.id]) else None
                for t in rows
            ]

        return await fetch_page(session, query, (Tag.name, Tag.id), page, shape)


async def delete_tag(session: AsyncSession, member: Member, tag_id: uuid.UUID) -> None:
    """Remove a tag from every gift (grown-ups only)."""
    require_grown_up(member, "remove tags")
    async with session.begin():
        viewer = await load_viewer(session, member)
        tag = await get_own(session, Tag, member, tag_id, "tag", lock=True)
        gifts = (await _gifts_by_tag(session, {tag.id}))[tag.id]
        if not _sees_tag(viewer, gifts):
            raise NotFound("No such tag in this household.")
        viewers = await household_viewers(session, member.household_id)
        await session.delete(tag)
        await add_event(
            session,
            outbox,
            TagDeleted(
                household_id=member.household_id,
                actor_id=member.user_id,
                tag_id=tag.id,
                name=tag.name,
                **hidden(
                    viewers,
                    lambda v: View.FULL if _sees_tag(v, gifts) else View.HIDDEN,
                    about=frozenset().union(*(g.recipient_person_ids for g in gifts)),
                ).fields,
            ),
        )
