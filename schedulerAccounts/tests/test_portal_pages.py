"""The portal pages under /scheduler/ for a signed-in agent."""

from __future__ import annotations

import datetime as dt

import pytest

from booking import slots
from booking.models import Booking, SeatCounter
from booking.tests.factories import BookingFactory
from booking.tests.helpers import BOOK_API as URL
from booking.tests.helpers import bearer, contract_body, jane_visit, next_working_day, run_worker
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import KeyRejected, scheduler_account_for_key
from schedulerAccounts.tests.helpers import portal_login
from tenants.models import BlackoutDate


@pytest.fixture
def agent(client, account_a):
    """A client signed in as account A's agent; returns (client, account)."""
    account, _ = account_a
    client.force_login(portal_login(account))
    return client, account


def booking_form(shop, **overrides) -> dict:
    """The portal's booking form as an agent fills it in for Jane."""
    typed = {"phone": "(661) 555-0123", "appliance_type": "Washer", "issue": "Leaks."}
    return jane_visit(shop, **typed, time_slot="pm", work_order_number="WO-5521") | overrides


def test_the_home_page_shows_two_weeks_of_the_shops_availability(agent, shop_a):
    client, _ = agent
    day = next_working_day(shop_a, days_ahead=2)
    SeatCounter.objects.create(shop=shop_a, date=day, start_time="08:00", booked=2)

    response = client.get("/scheduler/")

    days = response.context["days"]
    assert len(days) == 14
    assert days[0].date == shop_a.today()
    row = next(d for d in days if d.date == day)
    assert row.am_left == 2 * 4 - 2
    assert row.starts[0].seats_left == 0
    html = response.content.decode()
    assert f"{day:%a %b} {day.day}" in html
    assert "AM <b>6</b>" in html and "8:00 AM <small>full</small>" in html
    assert "Closed</span>" in html  # the weekend


def test_the_home_page_says_why_a_day_cannot_be_booked(agent, shop_a):
    client, _ = agent
    full_day = next_working_day(shop_a, days_ahead=2)
    holiday = next_working_day(shop_a, days_ahead=3)
    starts = slots.start_times_of(shop_a.booking_settings)
    SeatCounter.objects.bulk_create(
        SeatCounter(shop=shop_a, date=full_day, start_time=start, booked=2) for start in starts
    )
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=holiday)

    html = client.get("/scheduler/").content.decode()

    assert f'{full_day:%a %b} {full_day.day}</span><span class="muted">Full' in html
    assert f'{holiday:%a %b} {holiday.day}</span><span class="muted">Closed (holiday)' in html


def test_an_agent_books_through_the_portal_with_the_forced_tag(agent, shop_a):
    client, account = agent

    response = client.post("/scheduler/", booking_form(shop_a, source="cinch"))

    assert response.status_code == 302
    assert response["Location"] == "/scheduler/bookings"
    booking = Booking.objects.get()
    assert booking.account == account
    assert booking.channel == Booking.Channel.PORTAL
    assert booking.source == "acme"
    assert booking.phone == "+16615550123"
    assert booking.window == "pm"
    assert booking.work_order_number == "WO-5521"
    assert b"Booked Jane Smith" in client.get("/scheduler/bookings").content


@pytest.mark.parametrize(
    ("typed", "stored"), [("+1 555 123 4567", "+15551234567"), ("661.555.0123", "+16615550123")]
)
def test_the_portal_reads_phone_numbers_as_the_api_does(agent, shop_a, typed, stored):
    client, _ = agent

    client.post("/scheduler/", booking_form(shop_a, phone=typed))

    assert Booking.objects.get().phone == stored


def test_a_phone_number_nobody_can_call_is_refused(agent, shop_a):
    client, _ = agent

    response = client.post("/scheduler/", booking_form(shop_a, phone="555-0123"))

    assert response.context["form"].errors["phone"] == [
        "Enter a phone number we can call, like (555) 123-4567."
    ]
    assert not Booking.objects.exists()


def test_a_refused_booking_shows_why_and_writes_nothing(agent, shop_a):
    client, _ = agent
    saturday = shop_a.today()
    while saturday.weekday() != 5:
        saturday = saturday.fromordinal(saturday.toordinal() + 1)

    response = client.post("/scheduler/", booking_form(shop_a, scheduled_date=saturday.isoformat()))

    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a working day at the shop" in html
    # The page comes back scrolled to the form and its error, not to the availability above it.
    assert 'action="/scheduler/#new-booking"' in html
    assert not Booking.objects.exists()


def test_portal_bookings_count_against_the_accounts_own_booking_limit(
    agent, account_a, shop_a, api_client
):
    client, account = agent
    key = account_a[1]
    SchedulerAccount.objects.filter(pk=account.pk).update(bookings_per_hour=2)

    forms = [booking_form(shop_a, work_order_number=f"WO-{n}") for n in range(4)]
    statuses = [client.post("/scheduler/", form).status_code for form in forms[:3]]

    assert statuses == [302, 302, 429]
    assert Booking.objects.count() == 2
    refused = client.post("/scheduler/", forms[3])
    assert "Rate limit exceeded" in refused.content.decode()
    # The same bucket as the account's API key, not the agent's address.
    key_refused = api_client.post(URL, contract_body(shop_a), format="json", **bearer(key))
    assert key_refused.status_code == 429


def test_the_window_choices_carry_the_shops_own_hours(agent, shop_a):
    client, _ = agent
    booking_settings = shop_a.booking_settings
    booking_settings.first_start, booking_settings.last_start = dt.time(9), dt.time(15)
    booking_settings.save()

    choices = dict(client.get("/scheduler/").context["form"].fields["time_slot"].choices)

    assert choices["am"] == "Morning (9 AM-12 PM)"
    assert choices["pm"] == "Afternoon (12 PM-4 PM)"


def test_the_form_offers_only_the_extra_fields_the_account_may_write(agent):
    client, account = agent
    SchedulerAccount.objects.filter(pk=account.pk).update(
        allowed_fields=["priority"], may_overbook=True
    )

    fields = client.get("/scheduler/").context["form"].fields

    assert "priority" in fields
    assert "allow_overbook" in fields
    for hidden in ("status", "dispatcher_notes", "partner_reference", "duration_minutes", "source"):
        assert hidden not in fields


def test_an_extra_field_the_account_may_write_lands_on_the_booking(agent, shop_a):
    client, account = agent
    SchedulerAccount.objects.filter(pk=account.pk).update(
        allowed_fields=["priority", "status", "duration_minutes"]
    )

    client.post(
        "/scheduler/",
        booking_form(shop_a, priority="urgent", status="confirmed", duration_minutes="90"),
    )

    booking = Booking.objects.get()
    assert (booking.priority, booking.status, booking.duration_minutes) == (
        "urgent",
        "confirmed",
        90,
    )


def test_a_crafted_post_of_a_field_the_account_may_not_write_is_refused(agent, shop_a):
    client, _ = agent

    response = client.post("/scheduler/", booking_form(shop_a, dispatcher_notes="VIP"))

    assert response.status_code == 403
    assert b"dispatcher_notes" in response.content
    assert not Booking.objects.exists()


def test_the_bookings_list_shows_this_accounts_bookings_newest_first(agent, shop_a, account_a2):
    client, account = agent
    older = BookingFactory(shop=shop_a, account=account, customer_name="Older One")
    newer = BookingFactory(shop=shop_a, account=account, customer_name="Newer One")
    BookingFactory(shop=shop_a, account=account_a2[0], customer_name="Someone Else")
    BookingFactory(shop=shop_a, account=None, customer_name="Public Customer")

    response = client.get("/scheduler/bookings")

    assert list(response.context["page"]) == [newer, older]
    assert b"Someone Else" not in response.content
    assert b"Public Customer" not in response.content


def test_the_bookings_list_gives_each_customers_number_to_call(agent, shop_a):
    client, account = agent
    BookingFactory(shop=shop_a, account=account, phone="+16615550177")

    html = client.get("/scheduler/bookings").content.decode()

    assert '<a href="tel:+16615550177">(661) 555-0177</a>' in html


@pytest.mark.parametrize("query", ["jane", "555-0177", "6615550177", "WO-88"])
def test_the_bookings_are_searchable_by_name_phone_and_work_order(agent, shop_a, query):
    client, account = agent
    match = BookingFactory(
        shop=shop_a,
        account=account,
        customer_name="Jane Smith",
        phone="+16615550177",
        work_order_number="WO-8812",
    )
    BookingFactory(shop=shop_a, account=account, customer_name="Bob Jones", phone="+16615550100")

    response = client.get("/scheduler/bookings", {"q": query})

    assert list(response.context["page"]) == [match]


def test_the_bookings_are_searchable_by_the_reference_the_portal_shows(agent, shop_a):
    client, account = agent
    match = BookingFactory(shop=shop_a, account=account, customer_name="Jane Smith")
    BookingFactory(shop=shop_a, account=account, customer_name="Bob Jones")
    other_account = BookingFactory(shop=shop_a, customer_name="Not Ours")

    found = client.get("/scheduler/bookings", {"q": match.reference}).context["page"]
    not_ours = client.get("/scheduler/bookings", {"q": other_account.reference}).context["page"]

    assert list(found) == [match]
    assert list(not_ours) == []


def test_an_agent_cancels_one_of_its_bookings_and_the_seat_comes_back(agent, shop_a):
    client, _ = agent
    client.post("/scheduler/", booking_form(shop_a))
    booking = Booking.objects.get()

    response = client.post(f"/scheduler/bookings/{booking.pk}/cancel")

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    counter = SeatCounter.objects.get(
        shop=shop_a, date=booking.scheduled_date, start_time=booking.scheduled_time
    )
    assert counter.booked == 0


def test_a_cancel_in_the_portal_tells_the_shop_and_the_customer(
    agent, shop_a, mailoutbox, django_capture_on_commit_callbacks
):
    client, _ = agent
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/scheduler/", booking_form(shop_a, name="Jane Portal"))
    booking = Booking.objects.get()
    run_worker()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/scheduler/bookings/{booking.pk}/cancel")
    run_worker()

    sent = {message.to[0]: message for message in mailoutbox}
    assert set(sent) == {shop_a.notification_email, "jane@example.com"}
    alert = sent[shop_a.notification_email]
    assert alert.subject.startswith("Booking cancelled: Jane Portal")
    assert "Source:          acme (Scheduler portal)" in alert.body


def test_an_agent_cannot_cancel_another_accounts_booking(agent, shop_a, account_a2):
    client, _ = agent
    theirs = BookingFactory(shop=shop_a, account=account_a2[0])

    response = client.post(f"/scheduler/bookings/{theirs.pk}/cancel")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Booking.Status.SCHEDULED


def test_cancel_is_post_only(agent, shop_a):
    client, account = agent
    booking = BookingFactory(shop=shop_a, account=account)

    assert client.get(f"/scheduler/bookings/{booking.pk}/cancel").status_code == 405


def test_an_agent_of_shop_b_sees_nothing_of_shop_a(client, account_a, account_b, shop_a):
    a_booking = BookingFactory(shop=shop_a, account=account_a[0], customer_name="Alpha Customer")
    client.force_login(portal_login(account_b[0]))

    home = client.get("/scheduler/")
    listing = client.get("/scheduler/bookings", {"q": "Alpha"})
    cancel = client.post(f"/scheduler/bookings/{a_booking.pk}/cancel")

    assert b"Done Right Appliance" not in home.content
    assert b"Fix It Fast" in home.content
    assert list(listing.context["page"]) == []
    assert cancel.status_code == 404


def test_rotating_the_key_shows_the_new_one_once_and_the_old_one_stops(agent, account_a):
    client, account = agent
    _, old_key = account_a

    response = client.post("/scheduler/api-key")

    new_key = response.context["new_key"]
    assert new_key.startswith("ao_live_")
    assert new_key in response.content.decode()
    assert scheduler_account_for_key(new_key) == account
    with pytest.raises(KeyRejected):
        scheduler_account_for_key(old_key)
    assert new_key not in client.get("/scheduler/api-key").content.decode()
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_portal_user_gets_nothing_from_the_admin(agent):
    client, _ = agent

    index = client.get("/admin/")
    accounts = client.get("/admin/scheduler_accounts/scheduleraccount/")
    bookings = client.get("/admin/booking/booking/")

    for response in (index, accounts, bookings):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_portal_user_cannot_sign_in_to_the_admin(client, account_a):
    response = client.post(
        "/admin/login/", {"username": "acme-agent", "password": "correct-horse-battery"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_shop_staff_signed_in_to_the_admin_are_sent_to_the_portal_sign_in(client, alice):
    client.force_login(alice)

    response = client.get("/scheduler/")

    assert response.status_code == 302
    assert response["Location"].startswith("/scheduler-login.html")
