import uuid

from fastapi import APIRouter, status

from services.gateway.deps import AdminMember, CurrentUser, SessionDep
from services.gateway.models.households import (
    InvitationAccept,
    InvitationCreate,
    InvitationPublic,
    InvitationWithCode,
    MyHousehold,
)
from services.gateway.use_cases import invitations as use_cases

router = APIRouter(tags=["invitations"])


@router.post(
    "/households/{household_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationWithCode,
)
async def create_invitation(session: SessionDep, admin: AdminMember, body: InvitationCreate):
    """Invite someone with a role (admins only); the code is shown only in this answer."""
    return await use_cases.create_invitation(session, admin, body)


@router.get("/households/{household_id}/invitations", response_model=list[InvitationPublic])
async def list_invitations(session: SessionDep, admin: AdminMember):
    """Invitations not yet used, revoked or expired (admins only)."""
    return await use_cases.list_open_invitations(session, admin)


@router.delete(
    "/households/{household_id}/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT
)
async def revoke_invitation(session: SessionDep, admin: AdminMember, invitation_id: uuid.UUID):
    """Revoke an invitation so its code no longer works (admins only)."""
    await use_cases.revoke_invitation(session, admin, invitation_id)


@router.post("/invitations/accept", response_model=MyHousehold)
async def accept_invitation(session: SessionDep, user: CurrentUser, body: InvitationAccept):
    """Join a household with an invitation code."""
    return await use_cases.accept_invitation(session, user.id, body.code)
