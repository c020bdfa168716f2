import uuid

from fastapi import APIRouter, Request, status

from services.gateway.deps import AdminMember, CurrentUser, SessionDep, SettingsDep
from services.gateway.models.households import (
    InvitationAccept,
    InvitationCreate,
    InvitationPreview,
    InvitationPublic,
    InvitationWithCode,
    MyHousehold,
)
from services.gateway.routes.auth import client_ip
from services.gateway.use_cases import invitations as use_cases
from shared.errors import ErrorResponse, error_responses

router = APIRouter(tags=["invitations"])


@router.post(
    "/households/{household_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationWithCode,
)
async def create_invitation(
    session: SessionDep, settings: SettingsDep, admin: AdminMember, body: InvitationCreate
):
    """Invite someone with a role (admins only); the code is shown only in this answer, and mailed as
    a join link to `email` if given."""
    secret = settings.jwt_secret.get_secret_value()
    return await use_cases.create_invitation(session, admin, body, secret)


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


@router.post(
    "/invitations/preview",
    response_model=InvitationPreview,
    responses={
        404: {
            "model": ErrorResponse,
            "description": "No invitation has this code (or it was revoked).",
        },
        410: {
            "model": ErrorResponse,
            "description": "Used or expired; `details.reason` says which.",
        },
        **error_responses(422),
        429: {
            "model": ErrorResponse,
            "description": "Too many unknown codes from this address; try again after `Retry-After`.",
        },
    },
)
async def preview_invitation(
    session: SessionDep, settings: SettingsDep, body: InvitationAccept, request: Request
):
    """The household a code would have you join and who invited you, before signing in (no sign-in
    needed; codes that do not exist are slowed down like failed logins: 429 with Retry-After)."""
    guard = use_cases.CodeGuard(settings, client_ip(request, settings))
    return await use_cases.preview_invitation(session, guard, body.code)


@router.post("/invitations/accept", response_model=MyHousehold)
async def accept_invitation(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    body: InvitationAccept,
    request: Request,
):
    """Join a household with an invitation code (codes that do not exist are slowed down like
    failed logins: 429 with Retry-After)."""
    guard = use_cases.CodeGuard(settings, client_ip(request, settings))
    return await use_cases.accept_invitation(
        session, guard, user.id, body.code, settings.jwt_secret.get_secret_value()
    )
