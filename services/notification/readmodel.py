"""What the notification service knows of households, kept from their events: members and their names,
what gifts, lists, occasions and tasks are called, and each member's preferences."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notification.audience import Preferences
from services.notification.models import entity_name, member, notification, preference, stream_message


async def add_member(session: AsyncSession, household_id: UUID, user_id: UUID, role: str,
                     display_name: str | None, joined_at: datetime | None) -> None:
    values = {"household_id": household_id, "user_id": user_id, "role": role, "display_name": display_name}
    if joined_at is not None:
        values["joined_at"] = joined_at
    await session.execute(
        insert(member).values(values).on_conflict_do_update(
            index_elements=["household_id", "user_id"],
            set_={"role": role, "display_name": func.coalesce(display_name, member.c.display_name)},
        )
    )


async def change_role(session: AsyncSession, household_id: UUID, user_id: UUID, role: str) -> None:
    await session.execute(
        update(member).where(member.c.household_id == household_id, member.c.user_id == user_id).values(role=role)
    )


async def remove_member(session: AsyncSession, household_id: UUID, user_id: UUID) -> None:
    """Forget the member and everything kept for them here; their stream position stays, so a
    member who returns continues their sequence instead of repeating numbers a tab may hold."""
    for table in (member, preference, notification, stream_message):
        await session.execute(delete(table).where(table.c.household_id == household_id, table.c.user_id == user_id))


async def members_of(session: AsyncSession, household_id: UUID) -> dict[UUID, str | None]:
    """The household's members and their display names."""
    rows = await session.execute(
        select(member.c.user_id, member.c.display_name).where(member.c.household_id == household_id)
    )
    return dict(rows.all())


async def is_member(session: AsyncSession, household_id: UUID, user_id: UUID) -> bool:
    found = await session.scalar(
        select(member.c.user_id).where(member.c.household_id == household_id, member.c.user_id == user_id)
    )
    return found is not None


async def remember_name(session: AsyncSession, household_id: UUID, entity: str, entity_id: UUID, name: str) -> None:
    await session.execute(
        insert(entity_name).values(entity=entity, id=entity_id, household_id=household_id, name=name)
        .on_conflict_do_update(index_elements=["entity", "id"], set_={"name": name})
    )


async def names_of(session: AsyncSession, household_id: UUID, ids: Iterable[UUID]) -> dict[UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(entity_name.c.id, entity_name.c.name)
        .where(entity_name.c.household_id == household_id, entity_name.c.id.in_(wanted))
    )
    return dict(rows.all())


def _preferences(row) -> Preferences:
    return Preferences(frozenset(row.disabled_kinds), frozenset(row.muted_list_ids))


async def preferences_of(session: AsyncSession, household_id: UUID, users: Iterable[UUID]) -> dict[UUID, Preferences]:
    """Preferences of the listed members who set any; the others take the defaults."""
    wanted = set(users)
    if not wanted:
        return {}
    rows = await session.execute(
        select(preference).where(preference.c.household_id == household_id, preference.c.user_id.in_(wanted))
    )
    return {row.user_id: _preferences(row) for row in rows}


async def get_preferences(session: AsyncSession, household_id: UUID, user_id: UUID) -> Preferences:
    return (await preferences_of(session, household_id, [user_id])).get(user_id, Preferences())


async def set_preferences(session: AsyncSession, household_id: UUID, user_id: UUID, prefs: Preferences) -> None:
    values = {"disabled_kinds": sorted(prefs.disabled_kinds), "muted_list_ids": sorted(prefs.muted_list_ids, key=str),
              "updated_at": func.now()}
    await session.execute(
        insert(preference).values(household_id=household_id, user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["household_id", "user_id"], set_=values)
    )
