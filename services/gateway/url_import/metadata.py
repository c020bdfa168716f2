"""What a product page says about itself, read from its JSON-LD (schema.org Product and Offer),
OpenGraph and product meta tags. Pure: bytes or text in, metadata out, nothing raised on a bad page."""

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from selectolax.lexbor import LexborHTMLParser

from shared.validation.text import without_control_characters

PRODUCT_TYPES = {"Product", "ProductGroup", "ProductModel", "IndividualProduct", "SomeProducts"}
TITLE_MAX = 200
URL_MAX = 2048
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class ProductMetadata:
    title: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    image_url: str | None = None


def read_product(page: str | bytes, page_url: str) -> ProductMetadata:
    """JSON-LD first, then meta tags, then the document title; whatever is malformed is skipped.
    Price and currency are taken as a pair from the first source that has a price."""
    tree = (
        LexborHTMLParser(page, encoding=True) if isinstance(page, bytes) else LexborHTMLParser(page)
    )
    sources = [
        *(_from_json_ld(node, page_url) for node in _json_ld_products(tree)),
        _from_meta(tree, page_url),
    ]
    title_tag = tree.css_first("title")
    sources.append(ProductMetadata(title=_text(title_tag.text()) if title_tag else None))

    priced = next((s for s in sources if s.price is not None), None)
    currency = priced.currency if priced and priced.currency else None
    return ProductMetadata(
        title=next((s.title for s in sources if s.title), None),
        price=priced.price if priced else None,
        currency=currency or next((s.currency for s in sources if s.currency), None),
        image_url=next((s.image_url for s in sources if s.image_url), None),
    )


def _json_ld_products(tree: LexborHTMLParser) -> Iterator[dict]:
    for script in tree.css('script[type="application/ld+json" i]'):
        try:
            data = json.loads(script.text(deep=True), strict=False)
        except ValueError:
            continue
        # breadth first, through the containers only: the page's own product comes before the
        # "related products" nested inside it
        queue, seen = [data], 0
        while queue and seen < 200:
            node, seen = queue.pop(0), seen + 1
            if isinstance(node, list):
                queue.extend(node)
            elif isinstance(node, dict):
                if _types(node) & PRODUCT_TYPES:
                    yield node
                queue.extend(
                    node[key] for key in ("@graph", "mainEntity", "hasVariant") if key in node
                )


def _types(node: dict) -> set[str]:
    declared = node.get("@type")
    names = declared if isinstance(declared, list) else [declared]
    # "Product", "schema:Product" and "https://schema.org/Product" all name the same type
    return {name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if isinstance(name, str)}


def _from_json_ld(product: dict, page_url: str) -> ProductMetadata:
    price, currency = None, None
    for offer in _offers(product.get("offers")):
        spec = _first(offer.get("priceSpecification"))
        spec = spec if isinstance(spec, dict) else {}
        amounts = (offer.get("price"), offer.get("lowPrice"), spec.get("price"))
        amount = next((v for v in amounts if v is not None), None)
        price = _price(amount)
        if price is not None:
            currency = _currency(offer.get("priceCurrency") or spec.get("priceCurrency"))
            break
    return ProductMetadata(
        title=_text(product.get("name")),
        price=price,
        currency=currency,
        image_url=_image(product.get("image"), page_url),
    )


def _offers(offers: Any, depth: int = 0) -> Iterator[dict]:
    for offer in offers if isinstance(offers, list) else [offers]:
        if isinstance(offer, dict):
            yield offer
            if depth < 2 and "offers" in offer:  # an AggregateOffer lists its offers
                yield from _offers(offer["offers"], depth + 1)


def _from_meta(tree: LexborHTMLParser, page_url: str) -> ProductMetadata:
    meta: dict[str, str] = {}
    for tag in tree.css("meta[content]"):
        key = tag.attributes.get("property") or tag.attributes.get("name") or ""
        meta.setdefault(key.strip().lower(), tag.attributes.get("content") or "")

    def first(*keys: str) -> str | None:
        return next((meta[k] for k in keys if meta.get(k, "").strip()), None)

    return ProductMetadata(
        title=_text(first("og:title", "twitter:title")),
        price=_price(first("product:price:amount", "og:price:amount", "product:sale_price:amount")),
        currency=_currency(
            first("product:price:currency", "og:price:currency", "product:sale_price:currency")
        ),
        image_url=_image(
            first(
                "og:image:secure_url",
                "og:image",
                "og:image:url",
                "twitter:image",
                "twitter:image:src",
            ),
            page_url,
        ),
    )


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str):
        return None
    # sites often escape entities twice in metadata; whitespace runs come from templates; a control
    # character would only have the draft refused when it is saved
    text = without_control_characters(" ".join(html.unescape(value).split()))
    return text[:TITLE_MAX].rstrip() or None


def _price(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text and len(text.rsplit(",", 1)[1]) == 2:
        text = text.replace(",", ".")  # "12,50": a decimal comma
    else:
        text = text.replace(",", "")  # "1,299.00": thousands separators
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0 or price >= Decimal("1e10"):
        return None
    return price.quantize(CENTS)


def _currency(value: Any) -> str | None:
    value = _first(value)
    if (
        isinstance(value, str)
        and len(value.strip()) == 3
        and value.strip().isascii()
        and value.strip().isalpha()
    ):
        return value.strip().upper()
    return None


def _image(value: Any, page_url: str) -> str | None:
    value = _first(value)
    if isinstance(value, dict):  # an ImageObject
        value = value.get("url") or value.get("contentUrl")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        url = httpx.URL(page_url).join(value.strip())
    except httpx.InvalidURL:
        return None
    return (
        str(url)
        if url.scheme in ("http", "https") and url.host and len(str(url)) <= URL_MAX
        else None
    )
