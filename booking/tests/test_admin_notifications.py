from __future__ import annotations

import pytest
from django.core import mail

from applianceops.tests.helpers import screenshot
from booking.models import Notification
from booking.tests.helpers import book, run_worker

pytestmark = pytest.mark.django_db

URL = "/admin/booking/notification/"
Status = Notification.Status


@pytest.fixture
def logs(shop_a, shop_b):
    """An alert that went out for shop A and one that failed for shop B."""
    book(shop_a, email="")
    theirs = book(shop_b, email="")
    Notification.objects.filter(booking__shop=shop_a).update(status=Status.SENT, attempts=1)
    Notification.objects.filter(booking=theirs).update(
        status=Status.FAILED, attempts=6, last_error="SMTPServerDisconnected: gone"
    )
    return theirs


def test_the_owner_sees_the_email_log_of_their_shop(client, alice, logs):
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert "alerts@done-right-appliance.example" in page
    assert "alerts@fix-it-fast.example" not in page
    assert "<h1>E-mail notifications</h1>" in page
    assert "Select e-mail notification" not in page


def test_charlie_sees_only_his_own_shops_failures(client, charlie, logs):
    client.force_login(charlie)

    page = client.get(URL).content.decode()

    assert "alerts@fix-it-fast.example" in page
    assert "SMTPServerDisconnected: gone" in page
    assert "alerts@done-right-appliance.example" not in page
    alices = Notification.objects.get(booking__shop__slug="done-right-appliance")
    assert client.get(f"{URL}{alices.pk}/change/").status_code == 404


ALICES = "alerts@done-right-appliance.example"
CHARLIES = "alerts@fix-it-fast.example"


@pytest.mark.parametrize(
    "user, sees, resends",
    [
        ("alice", {ALICES}, True),
        ("bob", {ALICES}, False),
        ("charlie", {CHARLIES}, True),
        ("admin_user", {ALICES, CHARLIES}, True),
    ],
)
def test_who_sees_the_log_and_who_may_send_again(client, request, logs, user, sees, resends):
    client.force_login(request.getfixturevalue(user))

    response = client.get(URL)

    assert response.status_code == 200
    assert {n.recipient for n in response.context["cl"].result_list} == sees
    assert ('value="send_again"' in response.content.decode()) is resends
    for notification in Notification.objects.all():
        opened = client.get(f"{URL}{notification.pk}/change/").status_code
        assert opened == (200 if notification.recipient in sees else 404)


def test_a_dispatcher_cannot_send_again_by_a_crafted_post(
    client, bob, shop_a, django_capture_on_commit_callbacks
):
    book(shop_a, email="")
    Notification.objects.update(status=Status.FAILED, attempts=6)
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL,
            {
                "action": "send_again",
                "_selected_action": list(Notification.objects.values_list("pk", flat=True)),
            },
        )
    run_worker()

    assert set(Notification.objects.values_list("status", flat=True)) == {Status.FAILED}
    assert mail.outbox == []


def test_a_staff_user_of_no_shop_sees_no_log(client, django_user_model, logs):
    loner = django_user_model.objects.create_user("loner", password="x", is_staff=True)
    client.force_login(loner)

    assert client.get(URL).status_code == 403
    assert "/admin/booking/notification/" not in client.get("/admin/").content.decode()


def test_the_log_is_read_only(client, alice, logs):
    client.force_login(alice)
    alert = Notification.objects.get(booking__shop__slug="done-right-appliance")

    assert client.get(f"{URL}add/").status_code == 403
    assert client.post(f"{URL}{alert.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{URL}{alert.pk}/change/").status_code == 200


def test_the_owner_can_send_a_failed_email_again(
    client, charlie, logs, django_capture_on_commit_callbacks
):
    client.force_login(charlie)
    failed = logs.notifications.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True
        )
    run_worker()

    assert "1 e-mail(s) queued to send again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["alerts@fix-it-fast.example"]]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_owner_reads_why_an_email_failed(live_server, desktop_page, charlie, logs):
    desktop_page.goto(live_server.url + "/admin/login/?next=" + URL)
    desktop_page.fill("#id_username", "charlie")
    desktop_page.fill("#id_password", "password")
    desktop_page.click("input[type=submit]")
    desktop_page.wait_for_selector("#result_list")

    screenshot(desktop_page, "admin-email-log")
    row = desktop_page.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "SMTPServerDisconnected: gone" in row.inner_text()
