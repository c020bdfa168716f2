"""URL import: paste a product link, get a draft gift from the page's own metadata.

Best effort and never pushy: the fields the user already typed are kept as they are, and the draft is not
saved; the client creates the gift through the gifts endpoint once the user is happy with it.
`fetch` holds the SSRF rules, `metadata` the pure reading of a page.
"""

from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, Field, field_validator

from services.gateway.url_import.fetch import (
    FetchLimits,
    NotAWebPage,
    PageTimedOut,
    PageUnreachable,
    Resolver,
    UnknownSite,
    UrlRefused,
    check_url,
    fetch_page,
    is_public_address,
    resolve_host,
)
from services.gateway.url_import.metadata import TITLE_MAX, URL_MAX, ProductMetadata, read_product
from shared.validation import Line

__all__ = [
    "FetchLimits", "GiftDraft", "GiftImport", "NotAWebPage", "PageTimedOut", "PageUnreachable", "ProductMetadata",
    "UnknownSite", "UrlRefused", "draft_gift", "import_gift", "is_public_address", "read_product",
]  # fmt: skip

FIELDS = ("title", "price", "currency", "image_url")


class GiftImport(BaseModel):
    """A product link, and whatever the user already typed."""

    url: Line = Field(
        min_length=1, max_length=URL_MAX, examples=["https://shop.example/p/wooden-train"]
    )
    title: Line | None = Field(None, max_length=TITLE_MAX)
    price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: str | None = Field(
        None, pattern="^[A-Za-z]{3}$", description="ISO 4217 code, e.g. EUR"
    )
    image_url: Line | None = Field(None, max_length=URL_MAX)

    @field_validator("url", "title", "currency", "image_url", mode="before")
    @classmethod
    def blank_is_not_typed(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("currency")
    @classmethod
    def upper_case(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class GiftDraft(BaseModel):
    """A gift not saved yet, in the shape the gifts endpoint takes."""

    url: str
    title: str | None = None
    price: Decimal | None = Field(None, description='a decimal string, e.g. "24.99"')
    currency: str | None = Field(None, description="ISO 4217 code")
    image_url: str | None = None
    imported: list[str] = Field(
        default_factory=list, description="which fields were filled from the page"
    )


def draft_gift(typed: GiftImport, found: ProductMetadata) -> GiftDraft:
    """The typed fields, with only the empty ones filled from the page."""
    draft = GiftDraft(url=typed.url)
    for name in FIELDS:
        mine, theirs = getattr(typed, name), getattr(found, name)
        if mine is not None:
            setattr(draft, name, mine)
        elif theirs is not None:
            setattr(draft, name, theirs)
            draft.imported.append(name)
    return draft


async def import_gift(
    typed: GiftImport,
    limits: FetchLimits,
    *,
    resolve: Resolver = resolve_host,
    transport: httpx.AsyncBaseTransport | None = None,
) -> GiftDraft:
    """A draft gift for the link: the page is fetched only if the user left something to fill."""
    check_url(typed.url)
    if all(getattr(typed, name) is not None for name in FIELDS):
        return draft_gift(typed, ProductMetadata())
    page = await fetch_page(typed.url, limits, resolve=resolve, transport=transport)
    return draft_gift(typed, read_product(page.text(), page.url))
