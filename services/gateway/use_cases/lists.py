"""List use cases: wish lists and idea lists for one person, maybe for one occasion."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.households import Member, Role
from services.gateway.models.lists import (
    GiftList,
    GiftListCreate,
    GiftListPublic,
    GiftListUpdate,
    ListKind,
)
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.surprise import View, hidden, list_view
from services.gateway.use_cases.audience import household_viewers, list_facts, load_viewer
from services.gateway.use_cases.people import contains
from services.gateway.use_cases.scoped import get_referenced, visible_list
from shared.errors import Forbidden, InvalidInput
from shared.events.gifting import ListCreated, ListDeleted, ListUpdated
from shared.outbox import add_event
from shared.pages import Page, PageRequest, fetch_page

# a list's own facts (name, kind, visibility) are no surprise to the person whose wish list it is
LIST_SEEN = (View.FULL, View.REDACTED)


async def _list_event(session: AsyncSession, member: Member, lst: GiftList, event_type) -> None:
    facts = list_facts(lst)
    await add_event(
        session,
        outbox,
        event_type(
            household_id=member.household_id,
            actor_id=member.user_id,
            **hidden(
                await household_viewers(session, member.household_id),
                lambda v: list_view(v, facts),
                about={facts.owner_person_id},
                seen=LIST_SEEN,
            ).fields,
            list_id=lst.id,
            name=lst.name,
            kind=lst.kind,
            visibility=lst.visibility,
            person_id=lst.person_id,
            occasion_id=lst.occasion_id,
        ),
    )


async def create_list(session: AsyncSession, member: Member, data: GiftListCreate) -> GiftList:
    async with session.begin():
        viewer = await load_viewer(session, member)
        await get_referenced(session, Person, member, data.person_id, "person_id", "person")
        if data.occasion_id is not None:
            await get_referenced(
                session, Occasion, member, data.occasion_id, "occasion_id", "occasion"
            )
        if data.kind == ListKind.IDEA and data.person_id in viewer.person_ids:
            raise InvalidInput(
                "kind", "idea lists are where others plan surprises for you; make a wish list"
            )
        lst = GiftList.model_validate(
            data, update={"household_id": member.household_id, "created_by": member.user_id}
        )
        session.add(lst)
        await session.flush()
        await _list_event(session, member, lst, ListCreated)
    return lst


async def list_lists(
    session: AsyncSession,
    member: Member,
    page: PageRequest,
    *,
    person_id: uuid.UUID | None = None,
    occasion_id: uuid.UUID | None = None,
    kind: ListKind | None = None,
    q: str | None = None,
) -> Page[GiftListPublic]:
    query = select(GiftList).where(GiftList.household_id == member.household_id)
    if person_id:
        query = query.where(GiftList.person_id == person_id)
    if occasion_id:
        query = query.where(GiftList.occasion_id == occasion_id)
    if kind:
        query = query.where(GiftList.kind == kind)
    if q:
        query = query.where(GiftList.name.ilike(contains(q)))
    async with session.begin():
        viewer = await load_viewer(session, member)

        async def shape(rows: list[GiftList]) -> list[GiftListPublic | None]:
            return [
                None
                if list_view(viewer, list_facts(lst)) is View.HIDDEN
                else GiftListPublic.model_validate(lst)
                for lst in rows
            ]

        return await fetch_page(session, query, (GiftList.created_at, GiftList.id), page, shape)


async def get_list(session: AsyncSession, member: Member, list_id: uuid.UUID) -> GiftList:
    async with session.begin():
        lst, _ = await visible_list(session, member, await load_viewer(session, member), list_id)
        return lst


async def update_list(
    session: AsyncSession, member: Member, list_id: uuid.UUID, data: GiftListUpdate
) -> GiftList:
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "visibility"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "can be changed but not emptied to null")
    async with session.begin():
        lst, _ = await visible_list(
            session, member, await load_viewer(session, member), list_id, lock=True
        )
        if (
            "visibility" in changes
            and changes["visibility"] != lst.visibility
            and lst.created_by != member.user_id
        ):
            raise Forbidden("Only the member who made this list can change who sees it.")
        if changes.get("occasion_id") is not None:
            await get_referenced(
                session, Occasion, member, changes["occasion_id"], "occasion_id", "occasion"
            )
        lst.sqlmodel_update(changes)
        lst.updated_at = utcnow()
        await session.flush()
        await _list_event(session, member, lst, ListUpdated)
    return lst


async def delete_list(session: AsyncSession, member: Member, list_id: uuid.UUID) -> None:
    """Deletes the list and its items; the gifts stay."""
    async with session.begin():
        lst, _ = await visible_list(
            session, member, await load_viewer(session, member), list_id, lock=True
        )
        if member.role == Role.CHILD and lst.created_by != member.user_id:
            raise Forbidden("Only the grown-ups, or the member who made it, can delete this list.")
        facts = list_facts(lst)
        viewers = await household_viewers(session, member.household_id)
        await session.delete(lst)
        await add_event(
            session,
            outbox,
            ListDeleted(
                household_id=member.household_id,
                actor_id=member.user_id,
                list_id=lst.id,
                **hidden(
                    viewers,
                    lambda v: list_view(v, facts),
                    about={facts.owner_person_id},
                    seen=LIST_SEEN,
                ).fields,
            ),
        )
