from fastapi import APIRouter, status

from services.gateway import services
from services.gateway.deps import SessionDep
from services.gateway.models import HouseholdCreate, HouseholdPublic

router = APIRouter(prefix="/households", tags=["households"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HouseholdPublic)
async def create_household(session: SessionDep, body: HouseholdCreate):
    """Create a household."""
    return await services.create_household(session, body)
