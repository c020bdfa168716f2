"""Comments on gifts and lists. A comment follows its target's visibility; a surprise comment is also
kept from the target's recipients."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.comments import (
    Comment,
    CommentCreate,
    CommentPublic,
    CommentUpdate,
    TargetKind,
)
from services.gateway.models.households import Member, Role
from services.gateway.surprise import (
    Hidden,
    View,
    Viewer,
    comment_visible,
    gift_view,
    hidden,
    list_view,
)
from services.gateway.use_cases.audience import household_viewers, list_facts, load_viewer
from services.gateway.use_cases.scoped import get_own, visible_gift, visible_list
from shared.errors import Forbidden, NotFound
from shared.events.gifting import CommentAdded, CommentDeleted, CommentEdited
from shared.outbox import add_event
from shared.pages import Page, PageRequest, fetch_page


def to_public(comment: Comment) -> CommentPublic:
    kind, target_id = comment.target
    return CommentPublic.model_validate(
        comment, update={"target_kind": kind, "target_id": target_id}
    )


@dataclass(frozen=True)
class Target:
    view: View  # the caller's
    view_of: Callable[[Viewer], View]  # any member's
    about: frozenset[uuid.UUID]  # the people it is for


async def _target(
    session: AsyncSession, member: Member, viewer: Viewer, kind: TargetKind, target_id: uuid.UUID
) -> Target:
    """The commented gift or list as the caller and any member see it (404 if hidden from the caller)."""
    if kind == TargetKind.GIFT:
        _, facts, view = await visible_gift(session, member, viewer, target_id)
        return Target(view, lambda v: gift_view(v, facts), facts.recipient_person_ids)
    lst, view = await visible_list(session, member, viewer, target_id)
    facts = list_facts(lst)
    return Target(view, lambda v: list_view(v, facts), frozenset({facts.owner_person_id}))


def _hidden(viewers: list[Viewer], target: Target, comment: Comment) -> Hidden:
    """Whom a comment's event must never reach: who may not see the comment, now or once linked."""

    def seen(v: Viewer) -> View:
        return (
            View.FULL
            if comment_visible(v, target.view_of(v), comment.surprise, comment.author_id)
            else View.HIDDEN
        )

    return hidden(viewers, seen, about=target.about)


async def add_comment(
    session: AsyncSession,
    member: Member,
    kind: TargetKind,
    target_id: uuid.UUID,
    data: CommentCreate,
) -> CommentPublic:
    async with session.begin():
        viewer = await load_viewer(session, member)
        target = await _target(session, member, viewer, kind, target_id)
        view = target.view
        # a recipient's own words are for everyone; everyone else's are kept from the recipients by default
        surprise = data.surprise if data.surprise is not None else view is View.FULL
        comment = Comment(
            household_id=member.household_id,
            author_id=member.user_id,
            body=data.body,
            surprise=surprise,
            gift_id=target_id if kind == TargetKind.GIFT else None,
            list_id=target_id if kind == TargetKind.LIST else None,
        )
        session.add(comment)
        await session.flush()
        await add_event(
            session,
            outbox,
            CommentAdded(
                household_id=member.household_id,
                actor_id=member.user_id,
                **_hidden(
                    await household_viewers(session, member.household_id), target, comment
                ).fields,
                comment_id=comment.id,
                target_kind=kind,
                target_id=target_id,
                author_id=member.user_id,
                body=comment.body,
                surprise=comment.surprise,
            ),
        )
        return to_public(comment)


async def list_comments(
    session: AsyncSession, member: Member, kind: TargetKind, target_id: uuid.UUID, page: PageRequest
) -> Page[CommentPublic]:
    column = Comment.gift_id if kind == TargetKind.GIFT else Comment.list_id
    async with session.begin():
        viewer = await load_viewer(session, member)
        view = (await _target(session, member, viewer, kind, target_id)).view
        query = select(Comment).where(
            Comment.household_id == member.household_id, column == target_id
        )

        async def shape(rows: list[Comment]) -> list[CommentPublic | None]:
            return [
                to_public(c) if comment_visible(viewer, view, c.surprise, c.author_id) else None
                for c in rows
            ]

        return await fetch_page(session, query, (Comment.created_at, Comment.id), page, shape)


async def _visible_comment(
    session: AsyncSession, member: Member, viewer: Viewer, comment_id: uuid.UUID, lock: bool = False
):
    comment = await get_own(session, Comment, member, comment_id, "comment", lock=lock)
    kind, target_id = comment.target
    try:
        target = await _target(session, member, viewer, kind, target_id)
    except NotFound:
        raise NotFound("No such comment in this household.") from None
    if not comment_visible(viewer, target.view, comment.surprise, comment.author_id):
        raise NotFound("No such comment in this household.")
    return comment, target


async def get_comment(
    session: AsyncSession, member: Member, comment_id: uuid.UUID
) -> CommentPublic:
    async with session.begin():
        comment, _ = await _visible_comment(
            session, member, await load_viewer(session, member), comment_id
        )
        return to_public(comment)


async def edit_comment(
    session: AsyncSession, member: Member, comment_id: uuid.UUID, data: CommentUpdate
) -> CommentPublic:
    async with session.begin():
        viewer = await load_viewer(session, member)
        comment, target = await _visible_comment(session, member, viewer, comment_id, lock=True)
        if comment.author_id != member.user_id:
            raise Forbidden("Only its author can edit a comment.")
        comment.body, comment.updated_at = data.body, utcnow()
        await session.flush()
        kind, target_id = comment.target
        await add_event(
            session,
            outbox,
            CommentEdited(
                household_id=member.household_id,
                actor_id=member.user_id,
                **_hidden(
                    await household_viewers(session, member.household_id), target, comment
                ).fields,
                comment_id=comment.id,
                target_kind=kind,
                target_id=target_id,
                body=comment.body,
            ),
        )
        return to_public(comment)


async def delete_comment(session: AsyncSession, member: Member, comment_id: uuid.UUID) -> None:
    async with session.begin():
        viewer = await load_viewer(session, member)
        comment, target = await _visible_comment(session, member, viewer, comment_id, lock=True)
        if comment.author_id != member.user_id and member.role != Role.ADMIN:
            raise Forbidden("Only its author or an admin can delete a comment.")
        kind, target_id = comment.target
        kept_from = _hidden(await household_viewers(session, member.household_id), target, comment)
        await session.delete(comment)
        await add_event(
            session,
            outbox,
            CommentDeleted(
                household_id=member.household_id,
                actor_id=member.user_id,
                **kept_from.fields,
                comment_id=comment.id,
                target_kind=kind,
                target_id=target_id,
            ),
        )
