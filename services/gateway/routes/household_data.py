"""A household's data is its own: export it (JSON, or its gifts and lists as CSV), import it anew."""

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from services.gateway.deps import CurrentMember, CurrentUser, SessionDep
from services.gateway.models.household_export import MAX_IMPORT_BYTES, HouseholdExport
from services.gateway.models.households import MyHousehold
from services.gateway.use_cases import household_csv, household_export, household_import
from shared.errors import AppError, ErrorResponse, error_responses

router = APIRouter(prefix="/households", tags=["household data"])

CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, UTF-8."}


class ImportTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


def _attachment(body: str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{household_id}/export",
    response_model=HouseholdExport,
    responses=error_responses(403),
)
async def export_household(session: SessionDep, member: CurrentMember):
    """Everything of the household the caller may see, as one JSON document (grown-ups only: the file
    leaves the app's protections behind). Surprises for the caller are left out, as in the app."""
    return await household_export.export_household(session, member)


@router.get(
    "/{household_id}/export/gifts.csv",
    response_class=Response,
    responses={200: CSV, **error_responses(403)},
)
async def export_gifts_csv(session: SessionDep, member: CurrentMember):
    """The household's gifts the caller may see, one row each, as CSV (grown-ups only)."""
    doc = await household_export.export_household(session, member)
    return _attachment(household_csv.gifts_csv(doc), "text/csv; charset=utf-8", "gifts.csv")


@router.get(
    "/{household_id}/export/lists.csv",
    response_class=Response,
    responses={200: CSV, **error_responses(403)},
)
async def export_lists_csv(session: SessionDep, member: CurrentMember):
    """The household's lists the caller may see, one row per item, as CSV (grown-ups only)."""
    doc = await household_export.export_household(session, member)
    return _attachment(household_csv.lists_csv(doc), "text/csv; charset=utf-8", "lists.csv")


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    response_model=MyHousehold,
    responses={
        413: {"model": ErrorResponse, "description": "The file is larger than an import may be."},
        **error_responses(),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/HouseholdExport"}}
            },
        }
    },
)
async def import_household(session: SessionDep, user: CurrentUser, request: Request):
    """Make a new household from an export (`GET …/export`); the caller becomes its admin. Ids are
    new; only the caller's own claims, pledges, comments and person link come along. At most 5 MB."""
    doc = await _read_export(request)
    return await household_import.import_household(session, user.id, doc)


async def _read_export(request: Request) -> HouseholdExport:
    """The body, read only up to the limit: an oversized import is refused before it fills memory."""
    too_large = ImportTooLarge(
        f"An import can be at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB; this file is larger.",
        {"max_bytes": MAX_IMPORT_BYTES},
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_IMPORT_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_IMPORT_BYTES:
            raise too_large
    try:
        return HouseholdExport.model_validate_json(bytes(body))
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in exc.errors()]
        ) from None
