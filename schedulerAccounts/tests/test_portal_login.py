"""/scheduler-login.html: sign-in, lockout by username and address, sign-out, CSRF."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.tests.helpers import PORTAL_PASSWORD, portal_login

LOGIN = "/scheduler-login.html"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, username, address="10.0.0.1"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "wrong-password", address)


def test_the_sign_in_page_is_at_the_address_the_contract_promises(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert b"Scheduler portal" in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_an_agent_signs_in_and_lands_on_the_portal(client, account_a):
    response = sign_in(client, "acme-agent", PORTAL_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/scheduler/"
    page = client.get("/scheduler/")
    assert page.status_code == 200
    assert b"Acme Warranty" in page.content


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, account_a):
    response = sign_in(client, "acme-agent", "wrong-password")

    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_shop_staff_cannot_use_the_portal(client, alice):
    response = sign_in(client, "alice", "password")

    assert b"no active scheduler account" in response.content
    assert "_auth_user_id" not in client.session


def test_the_login_of_an_inactive_account_is_refused(client, account_a):
    account, _ = account_a
    SchedulerAccount.objects.filter(pk=account.pk).update(is_active=False)

    response = sign_in(client, "acme-agent", PORTAL_PASSWORD)

    assert b"no active scheduler account" in response.content


def test_portal_pages_send_a_stranger_to_the_sign_in_page(client, db):
    response = client.get("/scheduler/bookings")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fscheduler%2Fbookings"


def test_after_sign_in_the_agent_goes_where_they_were_headed_but_never_off_site(client, account_a):
    inside = client.post(
        LOGIN,
        {"username": "acme-agent", "password": PORTAL_PASSWORD, "next": "/scheduler/bookings"},
    )
    client.logout()
    outside = client.post(
        LOGIN,
        {"username": "acme-agent", "password": PORTAL_PASSWORD, "next": "https://evil.example/"},
    )

    assert inside["Location"] == "/scheduler/bookings"
    assert outside["Location"] == "/scheduler/"


def test_repeated_failures_lock_the_username_from_that_address(client, account_a):
    fail_until_locked(client, "acme-agent")

    response = sign_in(client, "acme-agent", PORTAL_PASSWORD)

    assert response.status_code == 429
    assert b"Sign-in locked" in response.content
    assert response["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    assert "_auth_user_id" not in client.session


def test_one_failure_short_of_the_limit_still_lets_the_right_password_in(client, account_a):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "acme-agent", "wrong-password")

    response = sign_in(client, "acme-agent", PORTAL_PASSWORD)

    assert response.status_code == 302


def test_the_lock_does_not_stop_another_username_from_the_same_address(
    client, account_a, account_a2
):
    fail_until_locked(client, "acme-agent")

    response = sign_in(client, "other-agent", PORTAL_PASSWORD)

    assert response.status_code == 302


def test_the_lock_does_not_stop_the_same_username_from_another_address(client, account_a):
    fail_until_locked(client, "acme-agent", address="10.0.0.1")

    response = sign_in(client, "acme-agent", PORTAL_PASSWORD, address="10.0.0.99")

    assert response.status_code == 302


def test_the_lockout_uses_the_projects_client_address_behind_a_proxy(client, account_a, settings):
    settings.NUM_PROXIES = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "acme-agent", "password": "wrong-password"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    other_client = client.post(
        LOGIN,
        {"username": "acme-agent", "password": PORTAL_PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert other_client.status_code == 302


def test_the_admin_sign_in_is_locked_the_same_way(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "alice", "password": "nope"})

    response = client.post("/admin/login/", {"username": "alice", "password": "password"})

    assert response.status_code == 429


def test_the_admin_sign_in_works(client, alice):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "alice", "password": "password"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_sign_out_ends_the_session(client, account_a):
    account, _ = account_a
    client.force_login(portal_login(account))

    response = client.post("/scheduler/logout")

    assert response.status_code == 302
    assert client.get("/scheduler/").status_code == 302


@pytest.mark.parametrize(
    "url",
    [LOGIN, "/scheduler/", "/scheduler/api-key", "/scheduler/logout"],
)
def test_every_portal_form_needs_its_csrf_token(account_a, url):
    account, _ = account_a
    client = Client(enforce_csrf_checks=True)
    if url != LOGIN:
        client.force_login(portal_login(account))

    response = client.post(url, {"username": "acme-agent", "password": PORTAL_PASSWORD})

    assert response.status_code == 403


def test_the_sign_in_form_works_with_its_csrf_token(account_a):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value

    response = client.post(
        LOGIN,
        {"username": "acme-agent", "password": PORTAL_PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def test_the_test_clients_login_still_works_beside_the_lockout(client, alice, account_a):
    # client.login() calls authenticate() without a request; axes must not break it.
    assert client.login(username="alice", password="password") is True
    assert client.login(username="acme-agent", password=PORTAL_PASSWORD) is True
    assert client.login(username="alice", password="wrong") is False
