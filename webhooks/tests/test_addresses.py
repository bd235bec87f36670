from __future__ import annotations

import datetime as dt
import socket
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from booking.tests.helpers import book, run_worker
from webhooks.models import WebhookDelivery
from webhooks.services import check_endpoint_url, endpoint_create

PUBLIC = "93.184.215.14"


def resolving(*addresses: str):
    """getaddrinfo answering `addresses` for any name, as a DNS server would."""
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443)) for a in addresses]
    return mock.patch("webhooks.addresses.socket.getaddrinfo", return_value=answers)


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_LOCAL = False


@pytest.mark.parametrize(
    "url, why",
    [
        ("http://hooks.partner.example/in", "must start with https://"),
        ("ftp://hooks.partner.example/in", "Give a full URL"),
        ("https://user:pw@hooks.partner.example/in", "user name and password"),
        ("https://127.0.0.1/in", "internal address"),
        ("https://[::1]:8443/in", "internal address"),
        ("https://10.0.0.8/in", "internal address"),
        ("https://192.168.1.20/in", "internal address"),
        ("https://169.254.169.254/latest/meta-data", "internal address"),
        ("https://100.64.0.1/in", "internal address"),
        ("https://[::ffff:10.0.0.8]/in", "internal address"),
        ("https://localhost/in", "internal address"),
    ],
)
def test_it_refuses_a_url_that_could_reach_inside_our_network(production, url, why):
    with pytest.raises(ValidationError, match=why):
        check_endpoint_url(url)


def test_it_refuses_a_name_that_resolves_to_a_private_address(production):
    with resolving("10.1.2.3"), pytest.raises(ValidationError, match="10.1.2.3"):
        check_endpoint_url("https://hooks.partner.example/in")


def test_it_refuses_a_name_with_one_public_and_one_private_address(production):
    with resolving(PUBLIC, "127.0.0.1"), pytest.raises(ValidationError, match="127.0.0.1"):
        check_endpoint_url("https://hooks.partner.example/in")


def test_it_refuses_a_name_that_does_not_resolve(production):
    with pytest.raises(ValidationError, match="does not resolve"):
        check_endpoint_url("https://no-such-host.invalid/in")


def test_it_accepts_an_https_url_with_public_addresses(production):
    with resolving(PUBLIC):
        assert check_endpoint_url(" https://hooks.partner.example/in ") == (
            "https://hooks.partner.example/in"
        )


def test_a_name_pointed_inside_after_it_was_saved_is_refused_at_delivery(
    production, shop_a, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC))
    with resolving(PUBLIC):
        endpoint_create(shop=shop_a, url="https://hooks.partner.example/in")
    with django_capture_on_commit_callbacks(execute=True):
        book(shop_a)
    connect = mock.patch("webhooks.delivery.socket.create_connection")
    with resolving("169.254.169.254"), connect as connected:
        run_worker()

    connected.assert_not_called()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING  # tried again later
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error == (
        "Refused: hooks.partner.example resolves to 169.254.169.254, an internal address."
    )


def test_delivery_connects_to_the_address_it_checked(
    production, shop_a, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC))
    with resolving(PUBLIC):
        endpoint_create(shop=shop_a, url="https://hooks.partner.example/in")
    with django_capture_on_commit_callbacks(execute=True):
        book(shop_a)
    refused = ConnectionRefusedError(111, "Connection refused")
    connect = mock.patch("webhooks.delivery.socket.create_connection", side_effect=refused)
    with resolving(PUBLIC), connect as connected:
        run_worker()

    assert connected.call_args.args[0] == (PUBLIC, 443)
    [attempt] = WebhookDelivery.objects.get().attempt_log.all()
    assert attempt.error == "ConnectionRefusedError: [Errno 111] Connection refused"
