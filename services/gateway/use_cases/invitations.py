"""Invitation use cases: an admin invites with a role and gets a code; a signed-in user joins with it."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.config import Settings
from services.gateway.models import outbox, utcnow
from services.gateway.models.accounts import UserAccount, normalize_email
from services.gateway.models.households import (
    Household,
    Invitation,
    InvitationCreate,
    InvitationPreview,
    InvitationPublic,
    InvitationWithCode,
    Member,
    Membership,
    MyHousehold,
)
from services.gateway.security import hash_token, new_invitation_code, normalize_code, throttle_key
from services.gateway.throttle import Limits, code_lookups, wait_before_code_lookup
from services.gateway.use_cases import login_throttle as throttle_store
from shared.errors import Conflict, Gone, NotFound, TooManyRequests
from shared.events.household import InvitationCreated, InvitationRevoked, MemberJoined
from shared.outbox import add_event
from shared.sealed import seal, sealed_address


async def create_invitation(
    session: AsyncSession, admin: Member, data: InvitationCreate, mail_secret: str | None = None
) -> InvitationWithCode:
    """With `data.email`, the event carries the code and address sealed (`mail_secret`) so the
    notification service mails the join link; the code is still answered, to pass on by hand."""
    code = new_invitation_code()
    now = utcnow()
    async with session.begin():
        invitation = Invitation(
            household_id=admin.household_id,
            code_hash=hash_token(normalize_code(code)),
            role=data.role,
            created_by=admin.user_id,
            created_at=now,
            expires_at=now + timedelta(hours=data.expires_in_hours),
            email=normalize_email(str(data.email)) if data.email is not None else None,
        )
        session.add(invitation)
        await session.flush()
        await add_event(
            session,
            outbox,
            InvitationCreated(
                household_id=admin.household_id,
                actor_id=admin.user_id,
                invitation_id=invitation.id,
                role=invitation.role,
                expires_at=invitation.expires_at,
                sealed_mail=await _sealed_invitation(session, admin, data, code, mail_secret),
            ),
        )
    return InvitationWithCode.model_validate({**invitation.model_dump(), "code": code})


async def _sealed_invitation(
    session: AsyncSession, admin: Member, data: InvitationCreate, code: str, secret: str | None
) -> str | None:
    if data.email is None or not secret:
        return None
    household = await session.get_one(Household, admin.household_id)
    inviter = await session.get_one(UserAccount, admin.user_id)
    content = {
        "address": normalize_email(str(data.email)),
        "code": code,
        "household_name": household.name,
        "invited_by": inviter.display_name,
    }
    return seal(secret, "invitation", content)


async def list_open_invitations(session: AsyncSession, admin: Member) -> list[InvitationPublic]:
    async with session.begin():
        rows = await session.scalars(
            select(Invitation)
            .where(
                Invitation.household_id == admin.household_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at)
        )
        return [InvitationPublic.model_validate(i, from_attributes=True) for i in rows.all()]


async def revoke_invitation(session: AsyncSession, admin: Member, invitation_id: uuid.UUID) -> None:
    async with session.begin():
        invitation = await session.get(Invitation, invitation_id, with_for_update=True)
        if invitation is None or invitation.household_id != admin.household_id:
            raise NotFound("No such invitation in this household.")
        if invitation.accepted_at is not None:
            raise Conflict("This invitation has already been used; remove the member instead.")
        if invitation.revoked_at is None:
            invitation.revoked_at = utcnow()
            await add_event(
                session,
                outbox,
                InvitationRevoked(
                    household_id=admin.household_id,
                    actor_id=admin.user_id,
                    invitation_id=invitation.id,
                ),
            )


UNKNOWN_CODE = "No invitation has this code; check it for typos or ask for a new one."


@dataclass(frozen=True)
class CodeGuard:
    """Codes that do not exist, counted per address like failed logins (services/gateway/throttle.py):
    whoever tries many of them, through the look-up or by joining, is slowed down."""

    settings: Settings
    address: str

    async def check(self, session: AsyncSession) -> None:
        """Wait first, if this address has tried too many unknown codes (429)."""
        key, limits, now = self.counted_as, self.limits, utcnow()
        await throttle_store.lock(session, key, key)
        wait = wait_before_code_lookup(
            await throttle_store.failures(session, key, key, None, now - limits.window),
            limits,
            now,
        )
        if wait is not None:
            raise TooManyRequests(
                throttle_store.code_wait_message(wait), retry_after_s=wait.seconds
            )

    async def unknown(self, session: AsyncSession) -> None:
        """Count an unknown code; the caller commits it, then answers 404."""
        key = self.counted_as
        await throttle_store.record_failure(session, key, key, None, utcnow(), self.limits.window)

    @property
    def counted_as(self) -> str:
        return code_lookups(throttle_key(self.address))

    @property
    def limits(self) -> Limits:
        return throttle_store.limits_of(self.settings)


async def preview_invitation(
    session: AsyncSession, guard: CodeGuard, code: str
) -> InvitationPreview:
    """Whom an invitation code would have its holder join, before they sign in: the household's name
    and the inviter's, nothing else."""
    async with session.begin():
        await guard.check(session)
        found = (
            await session.execute(
                select(Invitation, Household.name, UserAccount.display_name)
                .join(Household, Household.id == Invitation.household_id)
                .join(UserAccount, UserAccount.id == Invitation.created_by)
                .where(Invitation.code_hash == hash_token(normalize_code(code)))
            )
        ).first()
        if found is None or found[0].revoked_at is not None:
            await guard.unknown(session)
    # after the transaction: the failure is recorded, not rolled back with the error
    if found is None or found[0].revoked_at is not None:
        raise NotFound(UNKNOWN_CODE)
    invitation, household_name, invited_by = found
    if invitation.accepted_at is not None:
        raise Gone(
            "This invitation code has already been used; ask for a new one.", {"reason": "used"}
        )
    if invitation.expires_at <= utcnow():
        raise Gone("This invitation code has expired; ask for a new one.", {"reason": "expired"})
    return InvitationPreview(household_name=household_name, invited_by=invited_by)


async def accept_invitation(
    session: AsyncSession,
    guard: CodeGuard,
    user_id: uuid.UUID,
    code: str,
    mail_secret: str | None = None,
) -> MyHousehold:
    """`mail_secret` seals the new member's address into the event, for the mail channel alone."""
    async with session.begin():
        await guard.check(session)
        invitation = await session.scalar(
            select(Invitation)
            .where(Invitation.code_hash == hash_token(normalize_code(code)))
            .with_for_update()
        )
        if invitation is not None and invitation.revoked_at is None:
            return await _join(session, invitation, user_id, mail_secret)
        await guard.unknown(session)
    raise NotFound(UNKNOWN_CODE)  # after the transaction, which counted it


async def _join(
    session: AsyncSession, invitation: Invitation, user_id: uuid.UUID, mail_secret: str | None
) -> MyHousehold:
    now = utcnow()
    if invitation.accepted_at is not None:
        raise Conflict("This invitation code has already been used; ask for a new one.")
    if invitation.expires_at <= now:
        raise Gone("This invitation code has expired; ask for a new one.")
    joined = await session.scalar(
        insert(Membership)
        .values(
            household_id=invitation.household_id,
            user_id=user_id,
            role=invitation.role,
            joined_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Membership.user_id)
    )
    if joined is None:
        raise Conflict("You are already a member of this household.")
    user = await session.get_one(UserAccount, user_id)
    household = await session.get_one(Household, invitation.household_id)
    invitation.accepted_by, invitation.accepted_at = user_id, now
    await add_event(
        session,
        outbox,
        MemberJoined(
            household_id=household.id,
            actor_id=user_id,
            user_id=user_id,
            display_name=user.display_name,
            role=invitation.role,
            invitation_id=invitation.id,
            joined_at=now,
            sealed_address=sealed_address(mail_secret, user.email),
        ),
    )
    return MyHousehold.model_validate({**household.model_dump(), "role": invitation.role})
