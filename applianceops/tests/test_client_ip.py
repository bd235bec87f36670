from __future__ import annotations

import pytest
from django.test import RequestFactory

from applianceops.lib.client_ip import client_ip, client_ip_bucket


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/api/booking/book", **extra)


def test_without_proxies_it_ignores_a_forged_forwarded_header(settings):
    settings.NUM_PROXIES = 0

    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_it_takes_the_rightmost_forwarded_address(settings):
    settings.NUM_PROXIES = 1
    # The client forged the first address; our proxy appended the last one.
    request = request_from("10.0.0.2", "1.2.3.4, 198.51.100.7")

    assert client_ip(request) == "198.51.100.7"


def test_behind_two_proxies_it_takes_the_second_from_the_right(settings):
    settings.NUM_PROXIES = 2
    request = request_from("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.1")

    assert client_ip(request) == "198.51.100.7"


def test_behind_a_proxy_without_a_forwarded_header_it_uses_remote_addr(settings):
    settings.NUM_PROXIES = 1

    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"


def test_a_garbage_forwarded_address_falls_back_to_remote_addr(settings):
    settings.NUM_PROXIES = 1

    assert client_ip(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_an_ipv4_client_is_its_own_bucket(settings):
    settings.NUM_PROXIES = 0

    assert client_ip_bucket(request_from("203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize("address", ["2001:db8:1:2:aaaa::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"])
def test_ipv6_clients_in_one_slash_64_share_a_bucket(settings, address):
    settings.NUM_PROXIES = 0

    assert client_ip_bucket(request_from(address)) == "2001:db8:1:2::/64"


def test_ipv6_clients_in_different_slash_64s_get_different_buckets(settings):
    settings.NUM_PROXIES = 0

    first = client_ip_bucket(request_from("2001:db8:1:2::1"))
    second = client_ip_bucket(request_from("2001:db8:1:3::1"))

    assert first != second


@pytest.mark.parametrize(
    "proxies, remote, forwarded",
    [
        (0, "::ffff:203.0.113.9", None),
        (1, "10.0.0.2", "::ffff:203.0.113.9"),
        (2, "10.0.0.2", "::FFFF:203.0.113.9"),
    ],
)
def test_an_ipv4_mapped_address_is_the_ipv4_client_it_maps(settings, proxies, remote, forwarded):
    # What a dual-stack listener (or a proxy behind one) reports for an IPv4 client.
    settings.NUM_PROXIES = proxies
    request = request_from(remote, forwarded)

    assert client_ip(request) == "203.0.113.9"
    assert client_ip_bucket(request) == "203.0.113.9"


def test_ipv4_clients_of_a_dual_stack_listener_get_buckets_of_their_own(settings):
    settings.NUM_PROXIES = 0

    first = client_ip_bucket(request_from("::ffff:203.0.113.9"))
    second = client_ip_bucket(request_from("::ffff:198.51.100.7"))

    assert first != second


def test_a_garbage_address_from_a_short_forwarded_header_falls_back_to_remote_addr(settings):
    # Two proxies configured, one hop seen: the one address there must still be an address.
    settings.NUM_PROXIES = 2

    assert client_ip(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip_bucket(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"
