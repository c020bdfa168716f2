"""The mail channel's part in handling an event: what it learns, and the mails it decides.

* From household and membership events it keeps each household's time zone and each member's
  address (sealed in the event; opened here, stored in this service's schema only).
* For a notification already addressed by the in-app rules (`told`: never the actor, never a member
  it is hidden from), it writes one mail per member who wants that kind now and whose address it knows,
  and holds it back for the digest of each member who wants that kind daily or weekly (see `digests`).
* For a password reset it writes the mail from the event alone: the account may be in no household
  yet, so nothing here may depend on what the membership read model has caught up with.
"""

import uuid
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlencode
from uuid import UUID

import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notification.audience import Notice
from services.notification.config import Settings
from services.notification.mail import links
from services.notification.mail.kinds import DIGESTS, mail_kind, mode_of
from services.notification.mail.outbox import Mail, enqueue
from services.notification.mail.render import local_time, render
from services.notification.mail.tables import (
    mail_address,
    mail_digest_entry,
    mail_household,
    mail_message,
    mail_preference,
)
from services.notification.models import member
from shared.consumer import Envelope, PoisonEvent
from shared.events import accounts as a
from shared.events import household as h
from shared.sealed import Unsealable, unseal

log = structlog.get_logger()

KIND_LABELS = {
    "reminder": "Reminders",
    "occasion": "Occasions coming up",
    "claim": "Claims",
    "comment": "Comments",
    "history": "Gift history",
    "upcoming": "The week ahead",
}


@cache
def settings() -> Settings:
    """The service's settings, read once (the same the composition root reads)."""
    return Settings()


def _secret() -> str:
    return settings().jwt_secret.get_secret_value()


def _open_address(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return str(unseal(_secret(), "address", sealed)["address"])
    except (Unsealable, KeyError):
        # sealed with another secret (a rotation): the member gets no mail until their next event
        log.warning("mail.address_unsealable")
        return None


async def _remember_address(session: AsyncSession, user_id: UUID, sealed: str | None) -> None:
    address = _open_address(sealed)
    if address is None:
        return
    values = {"address": address, "updated_at": datetime.now(UTC)}
    await session.execute(
        insert(mail_address)
        .values(user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["user_id"], set_=values)
    )


async def _remember_timezone(session: AsyncSession, household_id: UUID, timezone: str) -> None:
    await session.execute(
        insert(mail_household)
        .values(household_id=household_id, timezone=timezone)
        .on_conflict_do_update(index_elements=["household_id"], set_={"timezone": timezone})
    )


async def observe(session: AsyncSession, envelope: Envelope) -> None:
    """Keep what mails need from household and membership events; mail invitations."""
    event = envelope.event
    if isinstance(event, h.InvitationCreated) and event.sealed_mail:
        await invitation_created(session, envelope, event)
    elif isinstance(event, h.InvitationRevoked):
        await cancel(session, invitation_key(event.invitation_id))
    elif isinstance(event, h.HouseholdCreated):
        await _remember_timezone(session, event.household_id, event.timezone)
        if event.actor_id is not None:
            await _remember_address(session, event.actor_id, event.sealed_creator_address)
    elif isinstance(event, h.HouseholdUpdated):
        await _remember_timezone(session, event.household_id, event.timezone)
    elif isinstance(event, h.MemberJoined):
        await _remember_address(session, event.user_id, event.sealed_address)


async def consider(
    session: AsyncSession, envelope: Envelope, notice: Notice | None, told: list[UUID]
) -> None:
    """Mail the notification to those of `told` who want its kind by mail now; hold it for digests."""
    kind = mail_kind(notice) if notice else None
    event = envelope.event
    if notice is None or kind is None or not told or event is None:
        return
    rows = (
        await session.execute(
            select(
                mail_address.c.user_id,
                mail_address.c.address,
                member.c.display_name,
                mail_preference.c.mode,
            )
            .join(
                member,
                (member.c.user_id == mail_address.c.user_id)
                & (member.c.household_id == event.household_id),
            )
            .outerjoin(
                mail_preference,
                (mail_preference.c.user_id == mail_address.c.user_id)
                & (mail_preference.c.household_id == event.household_id)
                & (mail_preference.c.kind == kind),
            )
            .where(mail_address.c.user_id.in_(told))
        )
    ).all()
    modes = {r.user_id: mode_of({kind: r.mode} if r.mode else {}, kind) for r in rows}
    await _hold(
        session, envelope, notice, kind, [r.user_id for r in rows if modes[r.user_id] in DIGESTS]
    )
    wanted = [r for r in rows if modes[r.user_id] == "now"]
    if not wanted:
        return
    timezone = await session.scalar(
        select(mail_household.c.timezone).where(mail_household.c.household_id == event.household_id)
    )
    config = settings()
    sent_at = local_time(envelope.cloudevent.time or datetime.now(UTC), timezone)
    mails = []
    for row in wanted:
        token = links.unsubscribe_token(
            _secret(), links.Unsubscribe(event.household_id, row.user_id, kind)
        )
        unsubscribe = links.unsubscribe_url(config.mail_public_url, token)
        content = render(
            "notice",
            notice.text,
            name=row.display_name or "there",
            text=notice.text,
            app_link=links.app_url(config.mail_public_url),
            sent_at=sent_at,
            kind_label=KIND_LABELS[kind],
            unsubscribe_link=unsubscribe,
        )
        mails.append(
            Mail(
                dedup_key=f"{envelope.cloudevent.id}:{row.user_id}",
                kind=kind,
                to_address=row.address,
                content=content,
                household_id=event.household_id,
                user_id=row.user_id,
                headers=links.unsubscribe_headers(unsubscribe),
                hidden_persons=tuple(event.hidden_persons),
            )
        )
    await enqueue(session, mails)


async def _hold(
    session: AsyncSession, envelope: Envelope, notice: Notice, kind: str, members: list[UUID]
) -> None:
    """Keep the notification for the digests of `members`; a redelivered event adds nothing."""
    event = envelope.event
    if not members or event is None:
        return
    rows = [
        {
            "id": uuid.uuid4(),
            "dedup_key": f"{envelope.cloudevent.id}:{user_id}",
            "household_id": event.household_id,
            "user_id": user_id,
            "kind": kind,
            "text": notice.text,
            "hidden_persons": list(event.hidden_persons),
        }
        for user_id in members
    ]
    await session.execute(
        insert(mail_digest_entry).values(rows).on_conflict_do_nothing(index_elements=["dedup_key"])
    )


def invitation_key(invitation_id: UUID) -> str:
    return f"invitation:{invitation_id}"


async def invitation_created(
    session: AsyncSession, envelope: Envelope, event: h.InvitationCreated
) -> None:
    """Mail the join link of an invitation the admin addressed to someone."""
    try:
        sealed = unseal(_secret(), "invitation", event.sealed_mail or "")
        address, code = str(sealed["address"]), str(sealed["code"])
    except (Unsealable, KeyError):
        log.warning("mail.invitation_unsealable", invitation_id=str(event.invitation_id))
        return  # sealed with another secret: the admin still has the code to pass on by hand
    timezone = await session.scalar(
        select(mail_household.c.timezone).where(mail_household.c.household_id == event.household_id)
    )
    household = str(sealed.get("household_name") or "a household")
    content = render(
        "invitation",
        f"{sealed.get('invited_by') or 'Someone'} invites you to {household} on giftflow",
        invited_by=sealed.get("invited_by") or "Someone",
        household=household,
        join_link=links.app_url(settings().mail_public_url, f"#/join?{urlencode({'code': code})}"),
        code=code,
        expires=local_time(event.expires_at, timezone),
    )
    mail = Mail(invitation_key(event.invitation_id), "invitation", address, content)
    await enqueue(session, [mail])


async def cancel(session: AsyncSession, dedup_key: str) -> None:
    """A mail decided but not yet sent that must not go any more (an invitation revoked meanwhile)."""
    await session.execute(
        update(mail_message)
        .where(mail_message.c.dedup_key == dedup_key, mail_message.c.status == "pending")
        .values(status="cancelled", last_error="revoked before it was sent")
    )


async def password_reset_requested(session: AsyncSession, envelope: Envelope) -> None:
    """Mail the reset link to the address the event carries sealed."""
    event = envelope.event
    if not isinstance(event, a.PasswordResetRequested):
        raise PoisonEvent("not a password reset request")
    try:
        sealed = unseal(_secret(), "password_reset", event.sealed_mail)
        address, token = str(sealed["address"]), str(sealed["token"])
    except (Unsealable, KeyError) as exc:
        raise PoisonEvent("the reset mail cannot be opened with this service's secret") from exc
    config = settings()
    valid_minutes = max(1, round((event.expires_at - datetime.now(UTC)).total_seconds() / 60))
    content = render(
        "password_reset",
        "Set a new giftflow password",
        name=sealed.get("display_name") or "there",
        # in the fragment: the secret never reaches a server's access log or a Referer
        reset_link=links.app_url(config.mail_public_url, f"#/reset-password?token={token}"),
        valid_minutes=valid_minutes,
        sent_at=local_time(envelope.cloudevent.time or datetime.now(UTC), "UTC"),
    )
    await enqueue(
        session,
        [
            Mail(
                dedup_key=str(envelope.cloudevent.id),
                kind="password_reset",
                to_address=address,
                content=content,
                user_id=event.user_id,
            )
        ],
    )
