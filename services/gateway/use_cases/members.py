"""Member use cases: list, change a role, remove (or leave). A household always keeps an admin."""

import uuid

from sqlalchemy import any_, case, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox
from services.gateway.models.accounts import UserAccount
from services.gateway.models.households import Household, Member, MemberPublic, Membership, Role
from services.gateway.models.tasks import Task
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.household import MemberRemoved, MemberRoleChanged
from shared.outbox import add_event


async def list_members(session: AsyncSession, member: Member) -> list[MemberPublic]:
    async with session.begin():
        rows = await session.execute(
            select(Membership, UserAccount.display_name)
            .join(UserAccount, UserAccount.id == Membership.user_id)
            .where(Membership.household_id == member.household_id)
            .order_by(func.lower(UserAccount.display_name), Membership.user_id)
        )
        return [
            MemberPublic(user_id=m.user_id, display_name=name, role=m.role, joined_at=m.joined_at)
            for m, name in rows.all()
        ]


async def change_role(
    session: AsyncSession, admin: Member, user_id: uuid.UUID, role: Role
) -> MemberPublic:
    async with session.begin():
        target = await _lock_membership(session, admin, user_id)
        old_role = Role(target.role)
        if old_role != role:
            if old_role == Role.ADMIN:
                await _refuse_if_last_admin(session, admin.household_id, "change the role of")
            target.role = role
            await add_event(
                session,
                outbox,
                MemberRoleChanged(
                    household_id=admin.household_id,
                    actor_id=admin.user_id,
                    user_id=user_id,
                    old_role=old_role,
                    new_role=role,
                ),
            )
        name = await session.scalar(
            select(UserAccount.display_name).where(UserAccount.id == user_id)
        )
    return MemberPublic(user_id=user_id, display_name=name, role=role, joined_at=target.joined_at)


async def remove_member(session: AsyncSession, member: Member, user_id: uuid.UUID) -> None:
    """An admin removes anyone; any member may remove themselves (leave)."""
    if user_id != member.user_id and not member.is_admin:
        raise Forbidden("Only an admin of this household can remove other members.")
    async with session.begin():
        target = await _lock_membership(
            session, member, user_id, needs_admin=user_id != member.user_id
        )
        if target.role == Role.ADMIN:
            await _refuse_if_last_admin(session, member.household_id, "remove")
        await session.delete(target)
        # whoever leaves takes no more turns at the household's chores (the recurring processor,
        # which picks the turns, learns of it from the event below)
        remaining = func.array_remove(Task.rotation, user_id)
        await session.execute(
            update(Task)
            .where(
                Task.household_id == member.household_id, literal(user_id) == any_(Task.rotation)
            )
            .values(
                rotation=remaining,
                rotation_mode=case(
                    (func.cardinality(remaining) == 0, None), else_=Task.rotation_mode
                ),
                updated_at=func.now(),  # what a calendar feed shows of it may change
            )
        )
        await add_event(
            session,
            outbox,
            MemberRemoved(
                household_id=member.household_id,
                actor_id=member.user_id,
                user_id=user_id,
                role=target.role,
            ),
        )


async def _lock_membership(
    session: AsyncSession, actor: Member, user_id: uuid.UUID, needs_admin: bool = True
) -> Membership:
    """The target's membership, with the household's membership changes serialized from here on.

    The lock makes two admins demoting each other at once run one after the other, and the
    caller's role is read again under it: it may have changed since the request was authorized.
    """
    await session.get_one(Household, actor.household_id, with_for_update=True)
    actor_role = await session.scalar(
        select(Membership.role).where(
            Membership.household_id == actor.household_id, Membership.user_id == actor.user_id
        )
    )
    if actor_role is None:
        raise NotFound("No such household.")
    if needs_admin and actor_role != Role.ADMIN:
        raise Forbidden("Only an admin of this household can do that.")
    target = await session.get(Membership, (actor.household_id, user_id))
    if target is None:
        raise NotFound("No such member in this household.")
    return target


async def _refuse_if_last_admin(session: AsyncSession, household_id: uuid.UUID, doing: str) -> None:
    admins = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.household_id == household_id, Membership.role == Role.ADMIN)
    )
    if admins <= 1:
        raise Conflict(
            f"Cannot {doing} the last admin of the household; make another member an admin first."
        )
