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
