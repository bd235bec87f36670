"""Several agents of one partner, each with a login of their own; the booking says who booked
it. And the portal's form: nothing preselected, every error names its field."""

from __future__ import annotations

import re
from html import unescape

import pytest

from booking.models import Booking
from booking.tests.helpers import jane_visit
from schedulerAccounts.services import scheduler_agent_add, scheduler_agent_update
from schedulerAccounts.tests.helpers import PORTAL_PASSWORD

HOME = "/scheduler/"
LOGIN = "/scheduler-login.html"


def booking_form(shop, **overrides) -> dict:
    typed = {"phone": "(661) 555-0123", "appliance_type": "Washer", "issue": "Leaks."}
    return jane_visit(shop, **typed, time_slot="pm") | overrides


def sign_in(client, username: str, password: str = PORTAL_PASSWORD):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, "signed in"


@pytest.fixture
def dana(account_a):
    account, _ = account_a
    return scheduler_agent_add(account=account, username="acme-dana", password="dana-passphrase-9")


def test_two_agents_of_one_partner_each_sign_in_and_the_booking_says_who(
    client, account_a, dana, shop_a, alice
):
    account, _ = account_a

    sign_in(client, "acme-dana", "dana-passphrase-9")
    client.post(HOME, booking_form(shop_a, name="Booked By Dana"))
    client.post("/scheduler/logout")
    sign_in(client, "acme-agent")
    client.post(HOME, booking_form(shop_a, name="Booked By The First"))

    by_dana = Booking.objects.get(customer_name="Booked By Dana")
    by_first = Booking.objects.get(customer_name="Booked By The First")
    assert by_dana.agent == dana and by_dana.account == account
    assert by_first.agent.user.username == "acme-agent" and by_first.account == account
    # Both see the partner's bookings, each saying who booked it.
    listing = client.get("/scheduler/bookings").content.decode()
    assert "via Scheduler portal by acme-dana" in listing
    assert "via Scheduler portal by acme-agent" in listing
    # The dispatcher sees it on the booking's page.
    client.force_login(alice)
    page = client.get(f"/admin/booking/booking/{by_dana.pk}/change/").content.decode()
    assert re.search(r'Booked by:</label>\s*<div class="readonly">acme-dana</div>', page)


def test_an_agent_switched_off_cannot_sign_in_and_is_signed_out(client, account_a, dana):
    sign_in(client, "acme-dana", "dana-passphrase-9")

    scheduler_agent_update(agent=dana, username="acme-dana", is_active=False)

    assert client.get(HOME).status_code == 302  # back to the sign-in page
    refused = client.post(LOGIN, {"username": "acme-dana", "password": "dana-passphrase-9"})
    assert refused.status_code == 200


def test_no_appliance_is_preselected(client, account_a):
    sign_in(client, "acme-agent")

    form = client.get(HOME).context["form"]

    assert form["appliance_type"].value() in (None, "")
    assert list(form.fields["appliance_type"].choices)[0] == ("", "Choose the appliance")
    html = client.get(HOME).content.decode()
    assert "selected>Refrigerator" not in html


def test_every_field_error_names_its_field(client, account_a, shop_a):
    sign_in(client, "acme-agent")

    response = client.post(HOME, {"time_slot": "", "phone": "12"})

    errors = response.context["form"].errors
    assert set(errors) >= {"name", "phone", "address", "appliance_type", "scheduled_date"}
    for field, messages in errors.items():
        label = response.context["form"][field].label.lower()
        for message in messages:
            assert label in message.lower(), f"{message!r} does not name {label!r}"
    html = unescape(response.content.decode())
    assert "Customer name: This field is required." in html
    assert "Appliance: This field is required." in html
    assert '<p class="error">This field is required.</p>' not in html
