"""REST of the notification service: my notifications, their read state, my preferences.

Served under the gateway's origin (it proxies `/api/households/{household_id}/notifications…`).
"""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, field_validator

from services.notification import member_notifications as use_cases
from services.notification import readmodel
from services.notification.audience import KINDS, Preferences
from services.notification.auth import CurrentMember
from shared.cursors import MAX_BIGINT
from shared.pages import Page, Paging
from shared.request_sessions import SessionDep

router = APIRouter(prefix="/api/households/{household_id}/notifications", tags=["notifications"])


class NotificationPublic(BaseModel):
    id: uuid.UUID
    seq: int = Field(description="Its number in my stream: the `id:` it was sent with.")
    kind: str
    text: str
    entity: str = Field(description="What it is about: gift, list, list_item, occasion, task…")
    entity_id: uuid.UUID
    list_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int


class NotificationPreferences(BaseModel):
    kinds: dict[str, bool] = Field(
        default_factory=dict,
        description=f"Which kinds of notification I want ({', '.join(KINDS)}); a kind left out is on.",
    )
    muted_list_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Lists I hear nothing about."
    )

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise ValueError(
                f"unknown kind(s) {', '.join(unknown)}; the kinds are {', '.join(KINDS)}"
            )
        return kinds

    @classmethod
    def of(cls, prefs: Preferences) -> "NotificationPreferences":
        return cls(
            kinds={k: k not in prefs.disabled_kinds for k in KINDS},
            muted_list_ids=sorted(prefs.muted_list_ids, key=str),
        )

    def to_preferences(self) -> Preferences:
        return Preferences(
            frozenset(k for k, on in self.kinds.items() if not on), frozenset(self.muted_list_ids)
        )


@router.get("", response_model=Page[NotificationPublic])
async def list_notifications(
    session: SessionDep, member: CurrentMember, paging: Paging, unread_only: bool = False
):
    """My notifications in this household, newest first."""
    found = await use_cases.list_notifications(session, member, paging, unread_only)
    return Page(
        items=[NotificationPublic.model_validate(r, from_attributes=True) for r in found.items],
        next_cursor=found.next_cursor,
    )


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(session: SessionDep, member: CurrentMember):
    """How many of my notifications are unread."""
    return UnreadCount(unread=await use_cases.unread_count(session, member))


@router.post("/read-all", response_model=MarkedRead)
async def mark_all_read(
    session: SessionDep,
    member: CurrentMember,
    up_to: Annotated[
        int | None,
        Query(
            ge=0, le=MAX_BIGINT, description="Only those up to this `seq` (what the page showed)."
        ),
    ] = None,
):
    """Mark all my unread notifications read."""
    return MarkedRead(marked=await use_cases.mark_all_read(session, member, up_to))


@router.post("/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_read(session: SessionDep, member: CurrentMember, notification_id: uuid.UUID):
    """Mark one of my notifications read."""
    await use_cases.mark_read(session, member, notification_id)


@router.get("/preferences", response_model=NotificationPreferences)
async def get_preferences(session: SessionDep, member: CurrentMember):
    """Which kinds of notification I get, and the lists I muted."""
    return NotificationPreferences.of(await readmodel.get_preferences(session, *member.key))


@router.put("/preferences", response_model=NotificationPreferences)
async def set_preferences(
    session: SessionDep, member: CurrentMember, body: NotificationPreferences
):
    """Choose the kinds of notification I get and the lists I hear nothing about."""
    async with session.begin():
        await readmodel.set_preferences(session, *member.key, body.to_preferences())
    return NotificationPreferences.of(body.to_preferences())
