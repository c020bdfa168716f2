"""Fetching the page a user linked to without letting the link reach anything inside our network.

On every hop: http(s) only, no credentials in the link, the host looked up by us and every address it
resolves to checked (`is_public_address`); the connection is made to that checked address while the Host
header and the TLS server name stay the link's, so a second DNS answer cannot swap the address (DNS
rebinding). Redirects are followed by hand, each hop checked again. The body is read up to a cap, and
one deadline covers the lookups, every hop and the body.

The cap counts decoded bytes as they are decoded: a page sent gzip-compressed although we asked for
none could otherwise inflate a 100 kB download to 100 MB in memory (httpx decodes each chunk it reads
whole) before the cap is looked at.
"""

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import structlog

from shared.errors import AppError

log = structlog.get_logger()

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "Mozilla/5.0 (compatible; giftflow-url-import/1.0)"
DEFAULT_PORTS = {"http": 80, "https": 443}
# the well-known NAT64 prefix carries an IPv4 address in its last 32 bits (RFC 6052)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# special-purpose ranges that this Python's `is_global`/`is_private` let through
NOT_PUBLIC = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10", "192.0.0.0/24", "192.88.99.0/24", "198.18.0.0/15",
        "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7",
        "fec0::/10",
    )
)  # fmt: skip


class UrlRefused(AppError):
    status_code = 422
    code = "url_refused"


class UnknownSite(AppError):
    status_code = 422
    code = "url_unknown_site"


class NotAWebPage(AppError):
    status_code = 422
    code = "url_not_a_page"


class PageUnreachable(AppError):
    status_code = 502
    code = "page_unreachable"


class PageTimedOut(AppError):
    status_code = 504
    code = "page_timed_out"


@dataclass(frozen=True)
class FetchLimits:
    allow_private: bool = False  # only for tests, whose sample shop listens on 127.0.0.1
    timeout_s: float = 5.0
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True)
class Page:
    url: str  # where the redirects ended
    body: bytes
    charset: str | None  # from the Content-Type header
    truncated: bool

    def text(self) -> str | bytes:
        """The page decoded by its header's charset; left as bytes for the parser to detect otherwise."""
        if self.charset:
            try:
                return self.body.decode(self.charset, errors="replace")
            except LookupError:
                pass
        return self.body


def is_public_address(address: IPAddress) -> bool:
    """A globally routable unicast address; an IPv6 address that carries an IPv4 one (mapped, 6to4,
    NAT64) is judged by the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None:
            return is_public_address(carried)
    special = (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
    )  # fmt: skip
    return address.is_global and not special and not any(address in net for net in NOT_PUBLIC)


def check_url(url: str, redirected: bool = False) -> httpx.URL:
    """The link parsed, if it is one we may fetch at all."""
    said = "The page redirected to a link that" if redirected else "The link"
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UrlRefused(
            f"{said} is not a valid web address; copy it again from the browser's address bar."
        ) from exc
    if parsed.scheme not in DEFAULT_PORTS:
        raise UrlRefused(
            f"{said} does not start with http:// or https://; only web pages can be imported."
        )
    if not parsed.host:
        raise UrlRefused(
            f"{said} has no site name in it; copy it again from the browser's address bar."
        )
    if parsed.userinfo:
        raise UrlRefused(
            f"{said} has a user name or password in it; paste the shop's public link instead."
        )
    return parsed


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        # a name that does not exist is a typo to fix; a lookup that failed may work on a retry
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            raise UnknownSite(f"There is no site called {host}; check the link for typos.") from exc
        raise PageUnreachable(
            f"We could not look up the site {host} just now; try again in a moment."
        ) from exc
    except UnicodeError as exc:
        raise UnknownSite(f"There is no site called {host}; check the link for typos.") from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


async def fetch_page(
    url: str,
    limits: FetchLimits,
    *,
    resolve: Resolver = resolve_host,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Page:
    """The HTML page behind the link, or a caller-facing error saying why not."""
    target = check_url(url)
    try:
        async with asyncio.timeout(limits.timeout_s):
            async with httpx.AsyncClient(
                transport=transport, trust_env=False, timeout=limits.timeout_s
            ) as client:
                return await _follow(client, target, limits, resolve)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise PageTimedOut(
            f"The page took longer than {limits.timeout_s:g} seconds to load; try again, or fill in the gift yourself."
        ) from exc
    except httpx.HTTPError as exc:  # the connection broke, or the answer was not valid HTTP
        raise PageUnreachable(
            f"The page at {target.host} could not be read; check that it opens in a browser."
        ) from exc


async def _follow(
    client: httpx.AsyncClient, target: httpx.URL, limits: FetchLimits, resolve: Resolver
) -> Page:
    for hop in range(limits.max_redirects + 1):
        addresses = await _checked_addresses(target, limits, resolve, redirected=hop > 0)
        response = await _connect(client, target, addresses)
        try:
            if response.is_redirect:
                try:
                    location = target.join(response.headers["location"])
                except httpx.InvalidURL as exc:
                    raise PageUnreachable(
                        "The page redirected to an address that is not valid."
                    ) from exc
                target = check_url(str(location), redirected=True)
                continue
            return await _read(response, target, limits)
        finally:
            await response.aclose()
    raise PageUnreachable(
        f"The page redirected more than {limits.max_redirects} times; open it in a browser and paste the final link."
    )


async def _checked_addresses(
    target: httpx.URL, limits: FetchLimits, resolve: Resolver, redirected: bool
):
    host = target.raw_host.decode("ascii")
    addresses = await resolve(host, target.port or DEFAULT_PORTS[target.scheme])
    if not addresses:
        raise UnknownSite(f"There is no site called {target.host}; check the link for typos.")
    refused = [a for a in addresses if not is_public_address(a)]
    if refused and not limits.allow_private:
        log.info("url_import.refused", host=host, address=str(refused[0]), redirected=redirected)
        said = "The page redirected to" if redirected else "The link points to"
        raise UrlRefused(
            f"{said} {target.host}, a private or local network address; only public web pages can be imported.",
            {"host": target.host},
        )
    return addresses


async def _connect(
    client: httpx.AsyncClient, target: httpx.URL, addresses: list[IPAddress]
) -> httpx.Response:
    host = target.raw_host.decode("ascii")
    host_header = f"[{host}]" if ":" in host else host
    if target.port is not None and target.port != DEFAULT_PORTS[target.scheme]:
        host_header += f":{target.port}"
    headers = {
        "Host": host_header,
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9",
        # compressed bodies could expand far past the size cap before it is checked
        "Accept-Encoding": "identity",
    }
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    refused: httpx.ConnectError | None = None
    for address in addresses[:3]:  # the checked addresses only: never a second lookup
        at_address = target.copy_with(host=str(address))
        request = client.build_request("GET", at_address, headers=headers, extensions=extensions)
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError as exc:
            refused = exc
    raise PageUnreachable(
        f"We could not connect to {target.host}; check the link, or try again later."
    ) from refused


async def _read(response: httpx.Response, target: httpx.URL, limits: FetchLimits) -> Page:
    if not response.is_success:
        raise PageUnreachable(
            f"{target.host} answered {response.status_code} {response.reason_phrase}; "
            "check that the link opens in a browser.",
            {"status": response.status_code},
        )
    mime = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if mime not in HTML_TYPES:
        raise NotAWebPage(
            f"The link leads to {mime or 'a file of unknown type'}, not a web page; "
            "paste the link of the product's page.",
            {"content_type": mime or None},
        )
    body, truncated = await _read_capped(response, target, limits.max_bytes)
    log.info("url_import.fetched", host=target.host, bytes=len(body), truncated=truncated)
    return Page(
        url=str(target), body=bytes(body), charset=response.charset_encoding, truncated=truncated
    )


async def _read_capped(
    response: httpx.Response, target: httpx.URL, cap: int
) -> tuple[bytearray, bool]:
    """The start of the decoded body, at most `cap` bytes, and whether there was more. Product metadata
    sits in the head: the rest is not read."""
    if (
        response.is_stream_consumed
    ):  # handed over already read (and decoded), as a test transport does
        return bytearray(response.content[:cap]), len(response.content) > cap
    decoder = _decoder(response.headers.get("content-encoding", ""), target)
    body = bytearray()
    async for raw in response.aiter_raw():
        while raw:
            # never more than one byte past the cap decoded at a time: what a chunk inflates to
            # beyond that stays compressed in `raw`
            chunk, raw = decoder(raw, cap + 1 - len(body))
            body += chunk
            if len(body) > cap:
                del body[cap:]
                return body, True
    return body, False


Decoder = Callable[[bytes, int], tuple[bytes, bytes]]  # (input, room) -> (output, input left over)


def _decoder(encoding: str, target: httpx.URL) -> Decoder:
    codings = [
        c.strip().lower()
        for c in encoding.split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    if not codings:
        return lambda data, room: (data[:room], data[room:])
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        # gzip, or a zlib stream (what `deflate` means): zlib tells them apart by their header
        inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)

        def decode(data: bytes, room: int) -> tuple[bytes, bytes]:
            try:
                out = inflate.decompress(data, room)
            except zlib.error as exc:
                raise PageUnreachable(
                    f"The page at {target.host} came garbled; check that it opens in a browser."
                ) from exc
            if inflate.eof:
                return out, b""  # anything after the stream's end is not the page
            return out, inflate.unconsumed_tail

        return decode
    raise PageUnreachable(
        f"The page at {target.host} came compressed ({encoding[:40]}) in a way we cannot read; "
        "fill in the gift yourself."
    )
