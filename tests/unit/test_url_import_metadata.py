"""Reading a product page's metadata, and filling a draft gift without overwriting what the user typed."""

import json
from decimal import Decimal

from services.gateway.url_import import GiftImport, ProductMetadata, draft_gift, read_product

PAGE_URL = "https://shop.example/p/wooden-train?ref=home"


def page(*head: str, body: str = "") -> str:
    return f"<!doctype html><html><head>{''.join(head)}</head><body>{body}</body></html>"


def json_ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def og(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{content}">'


def test_json_ld_product_with_a_single_offer():
    found = read_product(
        page(
            json_ld(
                {
                    "@context": "https://schema.org",
                    "@type": "Product",
                    "name": "Wooden train set",
                    "image": "https://cdn.shop.example/train.jpg",
                    "offers": {"@type": "Offer", "price": "24.99", "priceCurrency": "EUR"},
                }
            )
        ),
        PAGE_URL,
    )
    assert found == ProductMetadata(
        title="Wooden train set",
        price=Decimal("24.99"),
        currency="EUR",
        image_url="https://cdn.shop.example/train.jpg",
    )


def test_json_ld_product_with_a_list_of_offers_takes_the_first_priced_one():
    found = read_product(
        page(
            json_ld(
                {
                    "@type": "Product",
                    "name": "Rain boots",
                    "offers": [
                        {"@type": "Offer", "availability": "OutOfStock"},
                        {"@type": "Offer", "price": 35, "priceCurrency": "gbp"},
                        {"@type": "Offer", "price": 30, "priceCurrency": "GBP"},
                    ],
                }
            )
        ),
        PAGE_URL,
    )
    assert (found.price, found.currency) == (Decimal("35.00"), "GBP")


def test_aggregate_offer_and_price_specification_give_a_price():
    aggregate = {
        "@type": "Product",
        "name": "Lego",
        "offers": {"@type": "AggregateOffer", "lowPrice": "79.5", "priceCurrency": "USD"},
    }
    specified = {
        "@type": "Product",
        "name": "Kindle",
        "offers": {"@type": "Offer", "priceSpecification": {"price": 119, "priceCurrency": "CAD"}},
    }
    assert read_product(page(json_ld(aggregate)), PAGE_URL).price == Decimal("79.50")
    found = read_product(page(json_ld(specified)), PAGE_URL)
    assert (found.price, found.currency) == (Decimal("119.00"), "CAD")


def test_product_inside_a_graph_is_found_and_related_products_are_not_taken_for_it():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "Shop page"},
            {"@type": "BreadcrumbList", "name": "Toys"},
            {
                "@type": ["Product", "Thing"],
                "name": "Balance bike",
                "image": [{"@type": "ImageObject", "url": "/images/bike.png"}],
                "offers": {"price": "89.00", "priceCurrency": "EUR"},
                "isRelatedTo": {
                    "@type": "Product",
                    "name": "Helmet",
                    "offers": {"price": "20", "priceCurrency": "EUR"},
                },
            },
        ],
    }
    found = read_product(page(json_ld(graph)), PAGE_URL)
    assert found == ProductMetadata(
        title="Balance bike",
        price=Decimal("89.00"),
        currency="EUR",
        image_url="https://shop.example/images/bike.png",
    )


def test_schema_type_may_be_written_as_a_full_iri():
    found = read_product(
        page(json_ld({"@type": "http://schema.org/Product", "name": "Kite"})), PAGE_URL
    )
    assert found.title == "Kite"


def test_opengraph_is_the_fallback_without_json_ld():
    found = read_product(
        page(
            "<title>Toy Shop | Kite</title>",
            og("og:title", "Stunt kite"),
            og("og:image", "//cdn.shop.example/kite.jpg"),
            og("product:price:amount", "1,299.00"),
            og("product:price:currency", "sek"),
        ),
        PAGE_URL,
    )
    assert found == ProductMetadata(
        title="Stunt kite",
        price=Decimal("1299.00"),
        currency="SEK",
        image_url="https://cdn.shop.example/kite.jpg",
    )


def test_og_price_tags_and_a_decimal_comma_are_understood():
    found = read_product(
        page(og("og:price:amount", "12,50"), og("og:price:currency", "EUR")), PAGE_URL
    )
    assert (found.price, found.currency) == (Decimal("12.50"), "EUR")


def test_json_ld_wins_over_opengraph_and_fills_only_what_it_has():
    found = read_product(
        page(
            og("og:title", "Generic OG title"),
            og("og:image", "https://shop.example/og.jpg"),
            json_ld(
                {
                    "@type": "Product",
                    "name": "Puzzle",
                    "offers": {"price": "15", "priceCurrency": "EUR"},
                }
            ),
        ),
        PAGE_URL,
    )
    assert found.title == "Puzzle"
    assert found.image_url == "https://shop.example/og.jpg"


def test_price_and_currency_come_as_a_pair_from_one_source():
    found = read_product(
        page(
            og("product:price:amount", "17.99"),
            og("product:price:currency", "USD"),
            json_ld(
                {
                    "@type": "Product",
                    "name": "Scarf",
                    "offers": {"price": "16.50", "priceCurrency": "EUR"},
                }
            ),
        ),
        PAGE_URL,
    )
    assert (found.price, found.currency) == (Decimal("16.50"), "EUR")


def test_malformed_json_ld_is_ignored_and_the_rest_still_read():
    found = read_product(
        page(
            '<script type="application/ld+json">{"@type": "Product", "name": "Broken",</script>',
            '<script type="application/ld+json">"just a string"</script>',
            json_ld(
                {"@type": "Product", "name": "Teddy bear", "offers": {"price": "not a number"}}
            ),
            og("og:image", "https://shop.example/bear.jpg"),
        ),
        PAGE_URL,
    )
    assert found == ProductMetadata(title="Teddy bear", image_url="https://shop.example/bear.jpg")


def test_nonsense_values_are_dropped_not_guessed():
    found = read_product(
        page(
            og("product:price:amount", "-5"),
            og("product:price:currency", "euro"),
            og("og:image", "javascript:alert(1)"),
            og("og:title", "   "),
        ),
        PAGE_URL,
    )
    assert found == ProductMetadata()


def test_the_document_title_is_the_last_resort_and_entities_are_decoded():
    found = read_product(page("<title>  Tea &amp;\n  biscuits  </title>"), PAGE_URL)
    assert found.title == "Tea & biscuits"


def test_a_page_without_metadata_gives_nothing():
    assert read_product(b"\x00\xff not html at all", PAGE_URL) == ProductMetadata()


def test_bytes_are_decoded_by_the_pages_meta_charset():
    html = page('<meta charset="windows-1252">', og("og:title", "Caf\u00e9 mug")).encode(
        "windows-1252"
    )
    assert read_product(html, PAGE_URL).title == "Caf\u00e9 mug"


FOUND = ProductMetadata(
    title="From the page",
    price=Decimal("10.00"),
    currency="EUR",
    image_url="https://shop.example/page.jpg",
)


def test_typed_fields_are_never_overwritten():
    typed = GiftImport(url=PAGE_URL, title="Train for Sam", price=Decimal("20"), currency="usd")
    draft = draft_gift(typed, FOUND)
    assert draft.title == "Train for Sam"
    assert (draft.price, draft.currency) == (Decimal("20"), "USD")
    assert draft.image_url == "https://shop.example/page.jpg"
    assert draft.imported == ["image_url"]


def test_blank_typed_fields_count_as_not_typed():
    draft = draft_gift(GiftImport(url=f"  {PAGE_URL} ", title="  ", currency=""), FOUND)
    assert draft.url == PAGE_URL
    assert draft.title == "From the page"
    assert draft.imported == ["title", "price", "currency", "image_url"]


def test_the_draft_serialises_price_as_a_decimal_string():
    body = draft_gift(GiftImport(url=PAGE_URL), FOUND).model_dump(mode="json")
    assert body["price"] == "10.00"
    assert body["currency"] == "EUR"


def test_a_title_with_control_characters_is_imported_without_them_so_the_draft_can_be_saved():
    found = read_product(
        page(json_ld({"@type": "Product", "name": "Kite\u0000 \u001b[1mdeluxe\u007f"})), PAGE_URL
    )
    assert found.title == "Kite [1mdeluxe"
    assert GiftImport(url=PAGE_URL, title=found.title).title == found.title
