"""How the fetch walks a link, with DNS and the network replaced by fakes: it connects only to the
address it checked, keeps the link's Host and TLS name, and checks every redirect hop again."""

import asyncio
import ipaddress

import httpx
import pytest

from services.gateway.url_import import FetchLimits, PageUnreachable, UnknownSite, UrlRefused
from services.gateway.url_import.fetch import fetch_page

PUBLIC_IP = "93.184.216.34"
PRODUCT = b'<html><head><meta property="og:title" content="Kite"></head></html>'


class FakeDNS:
    """Answers from a table; a list of answers is handed out one per lookup, as a rebinding server would."""

    def __init__(self, table: dict[str, str | list[str]]):
        self.table = table
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int):
        self.lookups.append(host)
        answer = self.table.get(host)
        if answer is None:
            raise UnknownSite(f"There is no site called {host}; check the link for typos.")
        if isinstance(answer, list):
            answer = answer.pop(0)
        return [ipaddress.ip_address(a) for a in answer.split(",")]


class FakeWeb:
    """Serves canned responses by Host header and path, and records what was asked of it."""

    def __init__(self, pages: dict[str, httpx.Response]):
        self.pages = pages
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.pages.get(f"{request.headers['host']}{request.url.path}", httpx.Response(404))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def html(body: bytes = PRODUCT) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/html; charset=utf-8"}, content=body)


def redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"location": location})


async def fetch(url: str, dns: FakeDNS, web: FakeWeb, **limits):
    return await fetch_page(url, FetchLimits(**limits), resolve=dns, transport=web.transport)


async def test_the_connection_goes_to_the_checked_address_with_the_links_host_and_tls_name():
    dns = FakeDNS({"shop.example": PUBLIC_IP})
    web = FakeWeb({"shop.example/p/kite": html()})
    page = await fetch("https://shop.example/p/kite?colour=red", dns, web)

    (sent,) = web.requests
    assert sent.url.host == PUBLIC_IP
    assert sent.url.query == b"colour=red"
    assert sent.headers["host"] == "shop.example"
    assert sent.extensions["sni_hostname"] == "shop.example"
    assert page.url == "https://shop.example/p/kite?colour=red"
    assert page.body == PRODUCT


async def test_a_non_default_port_stays_in_the_host_header():
    dns = FakeDNS({"shop.example": PUBLIC_IP})
    web = FakeWeb({"shop.example:8080/p": html()})
    await fetch("http://shop.example:8080/p", dns, web)
    assert web.requests[0].url.port == 8080
    assert "sni_hostname" not in web.requests[0].extensions


async def test_a_second_dns_answer_cannot_swap_the_checked_address():
    # a rebinding server answers public first and loopback after: there is no second lookup to win
    dns = FakeDNS({"shop.example": [PUBLIC_IP, "127.0.0.1"]})
    web = FakeWeb({"shop.example/p": html()})
    await fetch("http://shop.example/p", dns, web)
    assert dns.lookups == ["shop.example"]
    assert [r.url.host for r in web.requests] == [PUBLIC_IP]


async def test_a_host_with_any_private_address_is_refused_before_connecting():
    dns = FakeDNS({"shop.example": f"{PUBLIC_IP},10.0.0.7"})
    web = FakeWeb({})
    with pytest.raises(UrlRefused, match="private or local network address"):
        await fetch("http://shop.example/", dns, web)
    assert web.requests == []


async def test_a_redirect_to_a_loopback_address_is_refused():
    dns = FakeDNS({"shop.example": PUBLIC_IP, "127.0.0.1": "127.0.0.1"})
    web = FakeWeb({"shop.example/go": redirect("http://127.0.0.1:8500/v1/agent/self")})
    with pytest.raises(UrlRefused) as refused:
        await fetch("https://shop.example/go", dns, web)
    assert refused.value.message.startswith("The page redirected to 127.0.0.1")
    assert [r.url.host for r in web.requests] == [PUBLIC_IP]


async def test_a_redirect_to_a_name_that_resolves_inside_is_refused():
    dns = FakeDNS({"shop.example": PUBLIC_IP, "metadata.internal": "169.254.169.254"})
    web = FakeWeb({"shop.example/go": redirect("http://metadata.internal/latest/meta-data/", 301)})
    with pytest.raises(UrlRefused, match="redirected to metadata.internal"):
        await fetch("https://shop.example/go", dns, web)
    assert len(web.requests) == 1


async def test_a_redirect_to_another_scheme_is_refused():
    dns = FakeDNS({"shop.example": PUBLIC_IP})
    web = FakeWeb({"shop.example/go": redirect("file:///etc/passwd")})
    with pytest.raises(UrlRefused, match="redirected to a link that does not start with http"):
        await fetch("https://shop.example/go", dns, web)


async def test_redirects_are_followed_and_each_hop_looked_up_again():
    dns = FakeDNS({"sho.rt": "151.101.1.69", "shop.example": PUBLIC_IP})
    web = FakeWeb(
        {
            "sho.rt/abc": redirect("https://shop.example/p/kite?utm=x", 301),
            "shop.example/p/kite": redirect("/p/kite-2", 308),
            "shop.example/p/kite-2": html(),
        }
    )
    page = await fetch("https://sho.rt/abc", dns, web)
    assert page.url == "https://shop.example/p/kite-2"
    assert dns.lookups == ["sho.rt", "shop.example", "shop.example"]
    assert [r.url.host for r in web.requests] == ["151.101.1.69", PUBLIC_IP, PUBLIC_IP]
    assert [r.headers["host"] for r in web.requests] == ["sho.rt", "shop.example", "shop.example"]


async def test_five_redirects_are_followed_and_a_sixth_is_not():
    dns = FakeDNS({"shop.example": PUBLIC_IP})
    pages = {f"shop.example/{n}": redirect(f"/{n + 1}") for n in range(6)}
    web = FakeWeb({**pages, "shop.example/5": html()})
    assert (await fetch("http://shop.example/0", dns, web)).url == "http://shop.example/5"

    web = FakeWeb({**pages, "shop.example/6": html()})
    with pytest.raises(PageUnreachable, match="redirected more than 5 times"):
        await fetch("http://shop.example/0", dns, web)
    assert len(web.requests) == 6


async def test_a_site_that_does_not_exist_is_the_callers_to_fix():
    with pytest.raises(UnknownSite, match="no site called nowhere.example") as error:
        await fetch("https://nowhere.example/", FakeDNS({}), FakeWeb({}))
    assert error.value.status_code == 422


async def test_a_name_that_does_not_exist_is_told_apart_from_a_failed_lookup(monkeypatch):
    import socket

    from services.gateway.url_import.fetch import resolve_host

    async def failing(errno):
        async def getaddrinfo(*args, **kwargs):
            raise socket.gaierror(errno, "lookup failed")

        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
        await resolve_host("shop.example", 443)

    with pytest.raises(UnknownSite):
        await failing(socket.EAI_NONAME)
    with pytest.raises(PageUnreachable, match="try again"):
        await failing(socket.EAI_AGAIN)


async def test_an_error_status_from_the_site_is_reported_with_its_status():
    dns = FakeDNS({"shop.example": PUBLIC_IP})
    with pytest.raises(PageUnreachable, match="answered 404 Not Found") as error:
        await fetch("https://shop.example/gone", dns, FakeWeb({}))
    assert error.value.details == {"status": 404}


async def test_allow_private_lets_a_test_server_on_loopback_through():
    dns = FakeDNS({"127.0.0.1": "127.0.0.1"})
    web = FakeWeb({"127.0.0.1:8081/p": html()})
    page = await fetch("http://127.0.0.1:8081/p", dns, web, allow_private=True)
    assert page.body == PRODUCT
