import uuid

from fastapi import APIRouter, status

from services.gateway.deps import AdminMember, CurrentMember, SessionDep
from services.gateway.models.households import MemberPublic, MemberUpdate
from services.gateway.use_cases import members as use_cases

router = APIRouter(prefix="/households/{household_id}/members", tags=["members"])


@router.get("", response_model=list[MemberPublic])
async def list_members(session: SessionDep, member: CurrentMember):
    """Everyone in the household, with their role."""
    return await use_cases.list_members(session, member)


@router.patch("/{user_id}", response_model=MemberPublic)
async def change_role(
    session: SessionDep, admin: AdminMember, user_id: uuid.UUID, body: MemberUpdate
):
    """Change a member's role (admins only; the last admin stays an admin)."""
    return await use_cases.change_role(session, admin, user_id, body.role)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(session: SessionDep, member: CurrentMember, user_id: uuid.UUID):
    """Remove a member (admins), or leave the household (anyone, with their own id)."""
    await use_cases.remove_member(session, member, user_id)
