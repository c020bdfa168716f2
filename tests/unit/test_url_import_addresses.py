"""Which addresses a URL import may connect to, and which links it may fetch at all."""

import ipaddress

import pytest

from services.gateway.url_import import UrlRefused, is_public_address
from services.gateway.url_import.fetch import check_url

REFUSED = {
    # IPv4
    "0.0.0.0": "unspecified",
    "0.1.2.3": "this network",
    "10.1.2.3": "private",
    "100.64.0.1": "carrier-grade NAT",
    "127.0.0.1": "loopback",
    "127.255.255.254": "loopback",
    "169.254.169.254": "link-local (cloud metadata)",
    "172.16.0.1": "private",
    "172.31.255.255": "private",
    "192.0.0.8": "IETF protocol assignments",
    "192.0.2.1": "documentation",
    "192.88.99.1": "6to4 relay anycast",
    "192.168.1.1": "private",
    "198.18.0.1": "benchmarking",
    "198.51.100.7": "documentation",
    "203.0.113.9": "documentation",
    "224.0.0.251": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    # IPv6
    "::": "unspecified",
    "::1": "loopback",
    "::7f00:1": "IPv4-compatible (deprecated)",
    "fe80::1": "link-local",
    "fe80::1%1": "link-local with a zone",
    "fec0::1": "site-local",
    "fc00::1": "unique local",
    "fd12:3456:789a::1": "unique local",
    "ff02::1": "multicast",
    "ff0e::1": "global multicast",
    "100::1": "discard-only",
    "2001:db8::1": "documentation",
    "2001::1": "Teredo",
    "2001:10::1": "ORCHID",
    "64:ff9b:1::a00:1": "local-use NAT64",
    # IPv6 carrying a refused IPv4 address
    "::ffff:127.0.0.1": "IPv4-mapped loopback",
    "::ffff:10.0.0.1": "IPv4-mapped private",
    "::ffff:169.254.169.254": "IPv4-mapped link-local",
    "2002:7f00:1::1": "6to4 of loopback",
    "2002:c0a8:101::1": "6to4 of 192.168.1.1",
    "64:ff9b::7f00:1": "NAT64 of loopback",
    "64:ff9b::a9fe:a9fe": "NAT64 of link-local",
}

PUBLIC = [
    "1.1.1.1",
    "8.8.8.8",
    "93.184.216.34",
    "151.101.1.69",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize("address", list(REFUSED), ids=[f"{a} {why}" for a, why in REFUSED.items()])
def test_non_public_addresses_are_refused(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_unicast_addresses_are_allowed(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url, says",
    [
        ("ftp://shop.example/file", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("gopher://shop.example/", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("shop.example/p/1", "http:// or https://"),
        ("http:///no-host", "no site name"),
        ("https://user:secret@shop.example/", "user name or password"),
        ("http://[::1", "not a valid web address"),
    ],
)
def test_links_that_are_not_public_web_pages_are_refused_before_any_lookup(url, says):
    with pytest.raises(UrlRefused) as refused:
        check_url(url)
    assert says in refused.value.message
    assert refused.value.status_code == 422


def test_http_and_https_links_pass_the_first_check():
    assert check_url("https://bücher.example/p?id=1").raw_host == b"xn--bcher-kva.example"
    assert check_url("HTTP://Shop.Example:8080/p").port == 8080
