"""What the notification service knows of households, kept from their events: members and their names,
which member each person is, what gifts, lists, occasions and tasks are called, and each member's
preferences."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.notification.audience import Preferences
from services.notification.mail.tables import mail_digest_entry
from services.notification.models import (
    entity_name,
    member,
    notification,
    person_link,
    preference,
    stream_message,
)
from shared.consumer import stage_until_commit, write_staged
from shared.person_links import remember_link


def _batch_memo(session: AsyncSession, name: str) -> dict:
    """A memo the events of one delivered batch share, so a household's members are read once a batch.

    Only on the batch's fast path, where any failure rolls the whole transaction back and the batch is
    redone in a new session; inside a savepoint (the entry-by-entry path) part of what a memo remembers
    could be rolled back, so there every event reads for itself.
    """
    if session.in_nested_transaction():
        return {}
    return session.info.setdefault(name, {})


def _forget_members(session: AsyncSession, household_id: UUID) -> None:
    session.info.get("members", {}).pop(household_id, None)


async def add_member(
    session: AsyncSession,
    household_id: UUID,
    user_id: UUID,
    role: str,
    display_name: str | None,
    joined_at: datetime | None,
) -> None:
    _forget_members(session, household_id)
    values = {
        "household_id": household_id,
        "user_id": user_id,
        "role": role,
        "display_name": display_name,
    }
    if joined_at is not None:
        values["joined_at"] = joined_at
    await session.execute(
        insert(member)
        .values(values)
        .on_conflict_do_update(
            index_elements=["household_id", "user_id"],
            set_={"role": role, "display_name": func.coalesce(display_name, member.c.display_name)},
        )
    )


async def change_role(session: AsyncSession, household_id: UUID, user_id: UUID, role: str) -> None:
    _forget_members(session, household_id)
    await session.execute(
        update(member)
        .where(member.c.household_id == household_id, member.c.user_id == user_id)
        .values(role=role)
    )


async def remove_member(session: AsyncSession, household_id: UUID, user_id: UUID) -> None:
    """Forget the member and everything kept for them here; their stream position stays, so a
    member who returns continues their sequence instead of repeating numbers a tab may hold."""
    _forget_members(session, household_id)
    await write_staged(session)  # what earlier events of the batch sent them goes too
    for table in (member, preference, notification, stream_message, mail_digest_entry):
        await session.execute(
            delete(table).where(table.c.household_id == household_id, table.c.user_id == user_id)
        )


@dataclass(frozen=True)
class Recipient:
    display_name: str | None
    preferences: Preferences
    role: str  # admin, adult or child


async def members_of(session: AsyncSession, household_id: UUID) -> dict[UUID, Recipient]:
    """The household's members, their names and their preferences, in one query."""
    memo = _batch_memo(session, "members")
    if household_id in memo:
        return memo[household_id]
    rows = await session.execute(
        select(
            member.c.user_id,
            member.c.display_name,
            member.c.role,
            preference.c.disabled_kinds,
            preference.c.muted_list_ids,
        )
        .select_from(
            member.outerjoin(
                preference,
                (preference.c.household_id == member.c.household_id)
                & (preference.c.user_id == member.c.user_id),
            )
        )
        .where(member.c.household_id == household_id)
    )
    memo[household_id] = found = {
        row.user_id: Recipient(
            row.display_name,
            Preferences(frozenset(row.disabled_kinds or ()), frozenset(row.muted_list_ids or ())),
            row.role,
        )
        for row in rows
    }
    return found


async def is_member(session: AsyncSession, household_id: UUID, user_id: UUID) -> bool:
    found = await session.scalar(
        select(member.c.user_id).where(
            member.c.household_id == household_id, member.c.user_id == user_id
        )
    )
    return found is not None


async def link_person(
    session: AsyncSession, household_id: UUID, person_id: UUID, user_id: UUID | None
) -> bool:
    """Remember which member a person is (None: nobody). True when the person is newly linked to `user_id`,
    after which that member must lose every copy of what is kept from the person (see `forget_kept_from`)."""
    session.info.get("links", {}).pop(
        household_id, None
    )  # this batch's later events see the new link
    before = await session.scalar(
        select(person_link.c.user_id).where(person_link.c.person_id == person_id)
    )
    await remember_link(session, person_link, household_id, person_id, user_id)
    return user_id is not None and before != user_id


async def forget_kept_from(
    session: AsyncSession, household_id: UUID, user_id: UUID, person_id: UUID
) -> None:
    """Take away from the member every message and notification kept from the person they now are,
    and what their digests were holding of it."""
    await write_staged(session)  # what earlier events of this batch sent them is judged too
    for table in (notification, stream_message, mail_digest_entry):
        await session.execute(
            delete(table).where(
                table.c.household_id == household_id,
                table.c.user_id == user_id,
                table.c.hidden_persons.contains([person_id]),
            )
        )


async def links_of(session: AsyncSession, household_id: UUID) -> dict[UUID, UUID]:
    """Which member each linked person of the household is now (read once a batch)."""
    memo = _batch_memo(session, "links")
    if household_id not in memo:
        memo[household_id] = dict(
            (
                await session.execute(
                    select(person_link.c.person_id, person_link.c.user_id).where(
                        person_link.c.household_id == household_id
                    )
                )
            ).all()
        )
    return memo[household_id]


async def linked_members(
    session: AsyncSession, household_id: UUID, person_ids: Iterable[UUID]
) -> set[UUID]:
    """The members who are one of these people now."""
    wanted = set(person_ids)
    if not wanted:
        return set()
    links = await links_of(session, household_id)
    return {links[p] for p in wanted if p in links}


def _write_names(session: Session, rows: list[dict]) -> None:
    # one upsert for the batch; a thing named twice in it keeps its last name (and a statement may
    # not touch a row twice)
    latest = {(r["entity"], r["id"]): r for r in rows}
    statement = insert(entity_name)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["entity", "id"], set_={"name": statement.excluded.name}
        ),
        list(latest.values()),
    )


async def remember_name(
    session: AsyncSession, household_id: UUID, entity: str, entity_id: UUID, name: str
) -> None:
    """Written with the rest of the batch's names just before it commits; the batch's later events
    read it from the batch's memo (see `names_of`)."""
    memo = _batch_memo(session, "names")
    if memo.get((household_id, entity_id)) == name:
        return
    memo[household_id, entity_id] = name
    row = {"entity": entity, "id": entity_id, "household_id": household_id, "name": name}
    await stage_until_commit(session, _write_names, [row])


async def names_of(
    session: AsyncSession, household_id: UUID, ids: Iterable[UUID]
) -> dict[UUID, str]:
    """What things are called: what this batch named, then what the table holds."""
    memo = _batch_memo(session, "names")
    wanted = set(ids)
    found = {i: memo[household_id, i] for i in wanted if (household_id, i) in memo}
    wanted -= set(found)
    if wanted:
        rows = await session.execute(
            select(entity_name.c.id, entity_name.c.name).where(
                entity_name.c.household_id == household_id, entity_name.c.id.in_(wanted)
            )
        )
        found.update(rows.all())
    return found


def _preferences(row) -> Preferences:
    return Preferences(frozenset(row.disabled_kinds), frozenset(row.muted_list_ids))


async def get_preferences(session: AsyncSession, household_id: UUID, user_id: UUID) -> Preferences:
    row = (
        await session.execute(
            select(preference).where(
                preference.c.household_id == household_id, preference.c.user_id == user_id
            )
        )
    ).first()
    return _preferences(row) if row else Preferences()


async def set_preferences(
    session: AsyncSession, household_id: UUID, user_id: UUID, prefs: Preferences
) -> None:
    values = {
        "disabled_kinds": sorted(prefs.disabled_kinds),
        "muted_list_ids": sorted(prefs.muted_list_ids, key=str),
        "updated_at": func.now(),
    }
    await session.execute(
        insert(preference)
        .values(household_id=household_id, user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["household_id", "user_id"], set_=values)
    )
