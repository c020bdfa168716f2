from fastapi import APIRouter, status

from services.gateway.services import households as use_cases
from services.gateway.deps import SessionDep
from services.gateway.models.households import HouseholdCreate, HouseholdPublic

router = APIRouter(prefix="/households", tags=["households"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HouseholdPublic)
async def create_household(session: SessionDep, body: HouseholdCreate):
    """Create a household."""
    return await use_cases.create_household(session, body)
