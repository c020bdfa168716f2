"""Reading the client's address and host (shared/forwarded.py) and the cross-site rule (shared/origin.py)."""

import ipaddress

import pytest

from shared.forwarded import client_address, own_hosts
from shared.origin import is_cross_site_change

PROXY = [ipaddress.ip_network("10.1.0.0/16")]
HOSTS = frozenset({"giftflow.example"})


def scope(peer: str, *headers: tuple[str, str]) -> dict:
    return {
        "type": "http",
        "client": (peer, 40000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
    }


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says():
    assert (
        client_address(scope("198.51.100.7", ("X-Forwarded-For", "203.0.113.1")), [])
        == "198.51.100.7"
    )


def test_a_header_from_a_peer_that_is_not_a_trusted_proxy_is_ignored():
    assert (
        client_address(scope("198.51.100.7", ("X-Forwarded-For", "203.0.113.1")), PROXY)
        == "198.51.100.7"
    )


def test_behind_a_trusted_proxy_the_client_is_the_address_it_appended():
    assert (
        client_address(scope("10.1.2.3", ("X-Forwarded-For", "203.0.113.1")), PROXY)
        == "203.0.113.1"
    )


def test_what_the_client_wrote_in_front_of_the_proxys_entry_is_not_believed():
    spoofed = scope("10.1.2.3", ("X-Forwarded-For", "192.0.2.99, 203.0.113.1"))
    assert client_address(spoofed, PROXY) == "203.0.113.1"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_address_that_is_not_one():
    chain = scope("10.1.2.3", ("X-Forwarded-For", "192.0.2.99, 203.0.113.1, 10.1.9.9"))
    assert client_address(chain, PROXY) == "203.0.113.1"
    several_headers = scope(
        "10.1.2.3", ("X-Forwarded-For", "192.0.2.99"), ("X-Forwarded-For", "203.0.113.1")
    )
    assert client_address(several_headers, PROXY) == "203.0.113.1"


def test_garbage_in_the_header_stops_the_walk_at_the_last_proxy():
    assert client_address(scope("10.1.2.3", ("X-Forwarded-For", "not-an-ip")), PROXY) == "10.1.2.3"


def test_addresses_are_written_one_way():
    assert client_address(scope("::ffff:198.51.100.7"), []) == "198.51.100.7"
    assert (
        client_address(scope("10.1.2.3", ("X-Forwarded-For", "203.0.113.1:5555")), PROXY)
        == "203.0.113.1"
    )
    assert (
        client_address(scope("10.1.2.3", ("X-Forwarded-For", "[2001:db8::1]")), PROXY)
        == "2001:db8::1"
    )


def test_the_forwarded_host_counts_only_from_a_trusted_proxy():
    proxied = ("10.1.2.3", ("Host", "gateway:8000"), ("X-Forwarded-Host", "Giftflow.example"))
    assert own_hosts(scope(*proxied), PROXY) == {"gateway:8000", "giftflow.example"}
    assert own_hosts(scope("198.51.100.7", *proxied[1:]), PROXY) == {"gateway:8000"}


def cross(method: str = "POST", **headers: str) -> bool:
    return is_cross_site_change(
        method,
        {k.replace("_", "-"): v for k, v in headers.items()},
        HOSTS,
        {"https://partner.example"},
    )


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_change_from_another_site_is_refused_by_fetch_metadata(site):
    assert cross(sec_fetch_site=site)
    assert cross(sec_fetch_site=site, origin="https://giftflow.example")


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_a_change_from_our_own_pages_or_typed_by_the_person_passes(site):
    assert not cross(sec_fetch_site=site, origin="https://giftflow.example")


def test_without_fetch_metadata_the_origin_must_be_the_host_the_request_was_sent_to():
    assert not cross(origin="https://giftflow.example")
    assert cross(origin="https://evil.example")
    assert cross(origin="null")
    assert cross(origin="https://giftflow.example.evil.example")


def test_requests_that_no_browser_made_on_its_own_pass():
    assert not cross()  # no Origin, no Sec-Fetch-Site: not a browser
    assert not cross(
        authorization="Bearer abc", origin="https://evil.example", sec_fetch_site="cross-site"
    )


def test_basic_credentials_which_a_browser_attaches_by_itself_are_no_exemption():
    assert cross(authorization="Basic abc", origin="https://evil.example")


def test_reading_is_never_refused():
    for method in ("GET", "HEAD", "OPTIONS"):
        assert not cross(method, origin="https://evil.example", sec_fetch_site="cross-site")


def test_an_allowed_origin_may_make_changes():
    assert not cross(origin="https://partner.example", sec_fetch_site="cross-site")
    assert not cross(origin="HTTPS://PARTNER.EXAMPLE")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_every_changing_method_is_checked(method):
    assert cross(method, origin="https://evil.example")
