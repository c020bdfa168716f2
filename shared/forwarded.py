"""Who is on the other end of a request, believing X-Forwarded-* only from the proxies we run.

A client can put anything in `X-Forwarded-For`; only what a trusted proxy (TRUSTED_PROXIES) appended is
true. So the list is read from the right: the peer, then each hop a trusted proxy vouches for, until an
address that is not a trusted proxy: that is the client. With no trusted proxies the peer is the client
and the headers are ignored. (uvicorn's own proxy-header handling is switched off, `--no-proxy-headers`,
so the peer here is the real one.)
"""

import ipaddress
from collections.abc import Iterable, Sequence

from starlette.datastructures import Headers
from starlette.types import Scope

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it: bare, `[v6]`, or `v4:port`; None when it is none of these."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # an IPv4 address with its port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress | None, trusted: Iterable[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in trusted)


def _peer(scope: Scope) -> IPAddress | None:
    client = scope.get("client")
    return parse_address(client[0]) if client else None


def _hops(headers: Headers, name: str) -> list[str]:
    """Every value of a comma-separated header, in order, over all its occurrences."""
    return [
        part.strip() for value in headers.getlist(name) for part in value.split(",") if part.strip()
    ]


def client_address(scope: Scope, trusted: Sequence[IPNetwork]) -> str:
    """The client's address: the peer, or what the trusted proxies in front of us say it was."""
    address = _peer(scope)
    if address is None:
        return "unknown"
    for hop in reversed(_hops(Headers(scope=scope), "x-forwarded-for")):
        if not is_trusted(address, trusted):
            break
        reported = parse_address(hop)
        if reported is None:  # not written by a proxy of ours: stop at the last one that was
            break
        address = reported
    return str(address)


def own_hosts(scope: Scope, trusted: Sequence[IPNetwork]) -> frozenset[str]:
    """The `host[:port]` the client addressed: the Host header, and X-Forwarded-Host when a trusted
    proxy (which may rewrite Host on its way to us) says what the client asked it for."""
    headers = Headers(scope=scope)
    hosts = {headers.get("host", "").strip().lower()}
    forwarded = _hops(headers, "x-forwarded-host")
    if forwarded and is_trusted(_peer(scope), trusted):
        hosts.add(forwarded[-1].lower())
    return frozenset(h for h in hosts if h)


def through_proxy(scope: Scope, trusted: Sequence[IPNetwork]) -> bool:
    """Whether the request came in through one of our proxies (the public ingress), which always says
    whom it forwards for; Prometheus and the other services call us directly and say nothing."""
    return is_trusted(_peer(scope), trusted) and bool(
        _hops(Headers(scope=scope), "x-forwarded-for")
    )
