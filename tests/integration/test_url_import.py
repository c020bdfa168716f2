"""Importing a gift from a product link, through the gateway, against sample shop pages served on 127.0.0.1
by a server this test starts. Fetching from loopback needs URL_IMPORT_ALLOW_PRIVATE, which only tests set."""

import gzip
import ipaddress
import json
import socket
import threading
import time
import tracemalloc
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from services.gateway.url_import import fetch
from tests.integration.accounts import new_household, sign_up

TIMEOUT_S = 1.0
FILLER = b"<p>" + b"lorem ipsum " * 5000 + b"</p>\n"  # ~60 kB

TRAIN_PAGE = f"""<!doctype html><html><head><title>Toy shop | Wooden train</title>
<meta property="og:title" content="Wooden train (OG)">
<script type="application/ld+json">{
    json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": "Wooden train set",
            "image": ["/img/train.jpg"],
            "offers": [{"@type": "Offer", "price": "24.99", "priceCurrency": "EUR"}],
        }
    )
}</script></head><body><h1>Wooden train set</h1></body></html>""".encode()

KITE_PAGE = b"""<html><head><meta charset="utf-8">
<meta property="og:title" content="Stunt kite"><meta property="og:image" content="https://cdn.shop.example/kite.jpg">
<meta property="product:price:amount" content="39.00"><meta property="product:price:currency" content="GBP">
</head><body></body></html>"""


BOMB_BYTES = 100_000_000


@cache
def gzip_bomb() -> bytes:
    """~100 kB on the wire, 100 MB once inflated: the title up front, a price nobody should get to."""
    head = b'<html><head><meta property="og:title" content="Inflated page"></head><body>'
    tail = b'<meta property="product:price:amount" content="1.00"></body></html>'
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    blank = b" " * 1_000_000
    parts = [
        packer.compress(head),
        *(packer.compress(blank) for _ in range(BOMB_BYTES // len(blank))),
        packer.compress(tail),
        packer.flush(),
    ]
    return b"".join(parts)


class Shop(BaseHTTPRequestHandler):
    """A sample shop. HTTP/1.0, so a body without Content-Length runs until the connection closes."""

    def do_GET(self):
        port = self.server.server_address[1]
        self.server.paths.append(self.path)
        if self.path == "/p/train":
            self.send_page(TRAIN_PAGE)
        elif self.path == "/p/kite":
            self.send_page(KITE_PAGE)
        elif self.path == "/go/kite":
            self.redirect("/p/kite")
        elif self.path.startswith("/loop/"):
            self.redirect(f"/loop/{int(self.path.rsplit('/', 1)[1]) + 1}")
        elif self.path == "/go/inside":
            self.redirect(f"http://127.0.0.2:{port}/admin")
        elif self.path == "/photo.jpg":
            self.send_page(b"\xff\xd8\xff\xe0 not really a jpeg", content_type="image/jpeg")
        elif self.path == "/huge":
            self.send_huge()
        elif self.path == "/slow":
            self.server.stopping.wait(3 * TIMEOUT_S)
            self.send_page(KITE_PAGE)
        elif self.path == "/trickle":
            self.send_trickle()
        elif self.path == "/bomb":
            self.send_compressed(gzip_bomb(), "gzip")
        elif self.path == "/p/kite.gz":
            self.send_compressed(gzip.compress(KITE_PAGE), "gzip")
        elif self.path == "/p/kite.zz":
            self.send_compressed(zlib.compress(KITE_PAGE), "deflate")
        elif self.path == "/p/kite.br":
            self.send_compressed(b"\x1b\x00 not really brotli", "br")
        else:
            self.send_error(404)

    def send_page(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_compressed(self, body: bytes, encoding: str) -> None:
        """Compressed although the fetch asked for `identity`, as a careless or hostile server does."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client hung up once it had read enough
            pass

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_huge(self) -> None:
        """Metadata in the head, then ~50 MB of page, then a price nobody should get to."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        sent = 0
        try:
            self.wfile.write(
                b'<html><head><meta property="og:title" content="Huge page"></head><body>'
            )
            while sent < 50_000_000:
                self.wfile.write(FILLER)
                sent += len(FILLER)
            self.wfile.write(b'<meta property="product:price:amount" content="1.00"></body></html>')
        except OSError:  # the client hung up: what the size cap is for
            pass
        self.server.huge_bytes_sent.append(sent)

    def send_trickle(self) -> None:
        """Headers at once, then a byte every 100 ms: no single read is slow, only the whole."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for _ in range(int(30 * TIMEOUT_S)):
                if self.server.stopping.wait(0.1):
                    return
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def shop():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    server.daemon_threads = True
    server.paths, server.huge_bytes_sent, server.stopping = [], [], threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
async def client_allowing_private(service_url):
    """The gateway as tests run it: allowed to fetch from loopback, with a short deadline."""
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    settings = Settings(
        database_url=service_url("gateway"),
        db_pool_size=2,
        url_import_allow_private=True,
        url_import_timeout_s=TIMEOUT_S,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client
    await app.state.engine.dispose()


@pytest.fixture
async def member(client_allowing_private):
    """A signed-in user and their household: (headers, import path)."""
    ann = await sign_up(client_allowing_private, name="Ann")
    household_id = await new_household(client_allowing_private, ann)
    return ann.headers, f"/api/households/{household_id}/gifts/import"


async def post_import(client, member, **body) -> httpx.Response:
    headers, path = member
    return await client.post(path, json=body, headers=headers)


def error_code(response: httpx.Response) -> str:
    return response.json()["error"]["code"]


async def test_a_json_ld_product_page_becomes_a_draft_gift(client_allowing_private, member, shop):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/p/train")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "url": f"{shop.url}/p/train",
        "title": "Wooden train set",
        "price": "24.99",
        "currency": "EUR",
        "image_url": f"{shop.url}/img/train.jpg",
        "imported": ["title", "price", "currency", "image_url"],
    }


async def test_redirects_are_followed_to_an_opengraph_page(client_allowing_private, member, shop):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/go/kite")
    assert response.status_code == 200, response.text
    draft = response.json()
    assert draft["url"] == f"{shop.url}/go/kite"  # the link the user pasted stays theirs
    assert (draft["title"], draft["price"], draft["currency"]) == ("Stunt kite", "39.00", "GBP")
    assert draft["image_url"] == "https://cdn.shop.example/kite.jpg"


async def test_what_the_user_typed_is_kept(client_allowing_private, member, shop):
    response = await post_import(
        client_allowing_private,
        member,
        url=f"{shop.url}/p/train",
        title="Train for Sam",
        price="20",
        currency="usd",
    )
    draft = response.json()
    assert (draft["title"], draft["price"], draft["currency"]) == ("Train for Sam", "20", "USD")
    assert draft["imported"] == ["image_url"]


async def test_a_fully_typed_draft_does_not_fetch_the_page(client_allowing_private, member, shop):
    url = f"{shop.url}/p/train?typed=all"
    body = {
        "url": url,
        "title": "Train",
        "price": "20.00",
        "currency": "EUR",
        "image_url": "https://x.example/t.jpg",
    }
    response = await post_import(client_allowing_private, member, **body)
    assert response.status_code == 200
    assert response.json()["imported"] == []
    assert "/p/train?typed=all" not in shop.paths


async def test_only_members_of_the_household_may_import(client_allowing_private, member, shop):
    _, path = member
    stranger = await sign_up(client_allowing_private, name="Stranger")
    response = await client_allowing_private.post(
        path, json={"url": f"{shop.url}/p/train"}, headers=stranger.headers
    )
    assert response.status_code == 404
    response = await client_allowing_private.post(path, json={"url": f"{shop.url}/p/train"})
    assert response.status_code == 401


async def test_a_non_html_response_is_refused(client_allowing_private, member, shop):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/photo.jpg")
    assert response.status_code == 422
    assert error_code(response) == "url_not_a_page"
    assert "image/jpeg" in response.json()["error"]["message"]


async def test_an_oversized_page_is_cut_off_and_read_from_its_start(
    client_allowing_private, member, shop
):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/huge")
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Huge page"
    assert response.json()["price"] is None  # it sits after 50 MB, never read
    deadline = time.monotonic() + 10
    while not shop.huge_bytes_sent and time.monotonic() < deadline:
        time.sleep(0.05)
    assert shop.huge_bytes_sent and shop.huge_bytes_sent[0] < 20_000_000  # we hung up early


async def test_a_slow_page_times_out(client_allowing_private, member, shop):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/slow")
    assert response.status_code == 504
    assert error_code(response) == "page_timed_out"


async def test_a_page_that_trickles_in_is_stopped_by_the_overall_deadline(
    client_allowing_private, member, shop
):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/trickle")
    assert response.status_code == 504


async def test_a_missing_page_a_closed_port_and_a_redirect_loop_are_unreachable(
    client_allowing_private, member, shop
):
    for url in [
        f"{shop.url}/no-such-product",
        f"http://127.0.0.1:{closed_port()}/p",
        f"{shop.url}/loop/0",
    ]:
        response = await post_import(client_allowing_private, member, url=url)
        assert response.status_code == 502, url
        assert error_code(response) == "page_unreachable"
    assert "/loop/5" in shop.paths and "/loop/6" not in shop.paths


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound, then let go."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- with the default setting: nothing private is fetched -------------------------------------------------


@pytest.fixture
async def default_member(gateway_client):
    ann = await sign_up(gateway_client, name="Ann")
    household_id = await new_household(gateway_client, ann)
    return ann.headers, f"/api/households/{household_id}/gifts/import"


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "2130706433",
        "0.0.0.0",
        "169.254.169.254",
    ],
)
async def test_a_loopback_or_private_link_is_refused_by_default(
    gateway_client, default_member, shop, host
):
    port = shop.server_address[1]
    seen = len(shop.paths)
    response = await post_import(
        gateway_client, default_member, url=f"http://{host}:{port}/p/train"
    )
    assert response.status_code == 422, response.text
    assert error_code(response) == "url_refused"
    assert "private or local network address" in response.json()["error"]["message"]
    assert len(shop.paths) == seen  # not even one request reached the shop


async def test_a_link_that_is_not_http_is_refused(gateway_client, default_member):
    response = await post_import(gateway_client, default_member, url="file:///etc/passwd")
    assert response.status_code == 422
    assert "http:// or https://" in response.json()["error"]["message"]


async def test_a_redirect_to_a_loopback_address_is_refused(
    gateway_client, default_member, shop, monkeypatch
):
    # let the shop on 127.0.0.1 pass for public, as a real shop would be; its redirect goes to 127.0.0.2
    shop_address, really_public = ipaddress.ip_address("127.0.0.1"), fetch.is_public_address
    monkeypatch.setattr(fetch, "is_public_address", lambda a: a == shop_address or really_public(a))

    response = await post_import(gateway_client, default_member, url=f"{shop.url}/go/inside")
    assert response.status_code == 422, response.text
    assert error_code(response) == "url_refused"
    assert response.json()["error"]["message"].startswith("The page redirected to 127.0.0.2")
    assert "/admin" not in shop.paths


async def test_the_draft_is_not_saved_and_the_gifts_endpoint_takes_it_as_it_is(
    client_allowing_private, member, shop
):
    headers, path = member
    draft = (await post_import(client_allowing_private, member, url=f"{shop.url}/p/train")).json()
    gifts_path = path.removesuffix("/import")
    assert (await client_allowing_private.get(gifts_path, headers=headers)).json()["items"] == []

    draft.pop("imported")
    response = await client_allowing_private.post(gifts_path, json=draft, headers=headers)
    assert response.status_code == 201, response.text
    gift = response.json()
    assert (gift["title"], gift["price"], gift["currency"]) == ("Wooden train set", "24.99", "EUR")
    assert gift["image_url"] == f"{shop.url}/img/train.jpg"


# -- compressed pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/p/kite.gz", "/p/kite.zz"])
async def test_a_compressed_page_is_read_all_the_same(client_allowing_private, member, shop, path):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}{path}")
    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["price"]) == ("Stunt kite", "39.00")


async def test_a_page_compressed_in_a_way_we_cannot_read_is_unreachable_not_garbage(
    client_allowing_private, member, shop
):
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/p/kite.br")
    assert response.status_code == 502
    assert "compressed" in response.json()["error"]["message"]


async def test_a_gzip_bomb_is_cut_off_at_the_cap_as_it_inflates(
    client_allowing_private, member, shop
):
    assert len(gzip_bomb()) < 200_000  # what comes over the wire
    limits = fetch.FetchLimits(allow_private=True, timeout_s=30)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        page = await fetch.fetch_page(f"{shop.url}/bomb", limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert page.truncated and len(page.body) == limits.max_bytes
    # the 2 MB kept, a copy of it as bytes, and change: not the 100 MB it inflates to (or the 220 MB
    # a whole-chunk decoder allocated on the way)
    assert peak - before < 3 * limits.max_bytes
    response = await post_import(client_allowing_private, member, url=f"{shop.url}/bomb")
    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["price"]) == ("Inflated page", None)
