from fastapi import APIRouter, Request, status

from services.gateway.deps import SessionDep, SettingsDep
from services.gateway.models.password_resets import (
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
)
from services.gateway.routes.auth import client_ip
from services.gateway.use_cases import password_reset as use_cases
from shared.errors import error_responses

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PasswordResetAccepted,
    responses=error_responses(422, 429),
)
async def request_password_reset(
    session: SessionDep, settings: SettingsDep, body: PasswordResetRequest, request: Request
):
    """Mail a link to set a new password; the answer is the same whether or not the address has an
    account (429 with Retry-After when asked too often from one place)."""
    message = await use_cases.request_reset(
        session, settings, body.email, client_ip(request, settings)
    )
    return PasswordResetAccepted(message=message)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(410, 422),
)
async def confirm_password_reset(
    session: SessionDep, settings: SettingsDep, body: PasswordResetConfirm
):
    """Set a new password with a mailed link's secret (once; 410 if spent or expired); every session
    of the account ends, so it signs in again with the new password."""
    await use_cases.reset_password(session, settings, body.token, body.password)
