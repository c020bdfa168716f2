from fastapi import APIRouter, status

from services.gateway.deps import AdminMember, CurrentMember, CurrentUser, SessionDep, SettingsDep
from services.gateway.models.households import HouseholdCreate, HouseholdUpdate, MyHousehold
from services.gateway.use_cases import households as use_cases

router = APIRouter(prefix="/households", tags=["households"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MyHousehold)
async def create_household(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, body: HouseholdCreate
):
    """Create a household; its creator becomes its admin."""
    secret = settings.jwt_secret.get_secret_value()
    return await use_cases.create_household(session, user.id, body, secret)


@router.get("", response_model=list[MyHousehold])
async def list_households(session: SessionDep, user: CurrentUser):
    """The households I belong to, with my role in each."""
    return await use_cases.list_households(session, user.id)


@router.get("/{household_id}", response_model=MyHousehold)
async def get_household(session: SessionDep, member: CurrentMember):
    """One of my households."""
    return await use_cases.get_household(session, member)


@router.patch("/{household_id}", response_model=MyHousehold)
async def update_household(session: SessionDep, admin: AdminMember, body: HouseholdUpdate):
    """Rename a household, change its time zone or when given gifts are revealed to their recipients
    (admins only)."""
    return await use_cases.update_household(session, admin, body)
