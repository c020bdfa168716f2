from fastapi import APIRouter

from services.gateway import url_import
from services.gateway.deps import CurrentMember, SettingsDep
from services.gateway.url_import import FetchLimits, GiftDraft, GiftImport

router = APIRouter(prefix="/households/{household_id}/gifts", tags=["gifts"])


@router.post(
    "/import",
    response_model=GiftDraft,
    responses={
        404: {"description": "No such household, or the caller is not a member of it."},
        422: {
            "description": "`url_refused`: not an http(s) link, credentials in it, or it (or a redirect) leads to a "
            "private, loopback, link-local, multicast or reserved address. `url_unknown_site`: no such site name. "
            "`url_not_a_page`: it leads to something other than HTML. `validation_failed`: a typed field is not valid."
        },
        502: {
            "description": "`page_unreachable`: the site refused the connection, answered an error status, or "
            "redirected more than 5 times, or its name could not be looked up just now. Retrying later may help; "
            "the user can also type the gift in."
        },
        504: {"description": "`page_timed_out`: the page did not load within 5 seconds."},
    },
)
async def import_gift_from_url(
    member: CurrentMember, settings: SettingsDep, body: GiftImport
) -> GiftDraft:
    """Read a product page's title, price, currency and image into a draft gift; nothing is saved.

    Fields already typed in the body are kept as they are; only the empty ones are filled, best effort, from
    the page's JSON-LD (schema.org Product/Offer), then its OpenGraph and product meta tags, then its title.
    `imported` lists the filled fields. A page without metadata gives a draft with just the link (200).
    If every field is typed the page is not fetched. Create the gift with the gifts endpoint afterwards.
    Only public web pages are fetched, each redirect checked again, at most 2 MB of HTML within 5 seconds.
    """
    limits = FetchLimits(
        allow_private=settings.url_import_allow_private,
        timeout_s=settings.url_import_timeout_s,
        max_bytes=settings.url_import_max_bytes,
    )
    return await url_import.import_gift(body, limits)
