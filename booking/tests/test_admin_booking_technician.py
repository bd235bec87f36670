"""The admin's booking page with technicians: who takes a job booked by phone, reassigning it,
its length, and owners booking beyond capacity on a chosen technician."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.models import Booking, Notification, Occupancy
from booking.tests.helpers import TUESDAY, book, change_data
from technicians.tests.helpers import hire

URL = "/admin/booking/booking/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def change_url(booking) -> str:
    return f"{URL}{booking.pk}/change/"


def phone_booking(shop, **overrides) -> dict:
    """The add form as staff fill it in for a caller: a refrigerator, Tuesday at 10:00."""
    return {
        "shop": str(shop.pk),
        "customer_name": "Phone Caller",
        "phone": "+16615550111",
        "address": "9 Elm St, Lancaster CA 93534",
        "appliance_type": "Refrigerator",
        "scheduled_date": TUESDAY.isoformat(),
        "time_slot": "10:00",
        "priority": "normal",
        "_save": "Save",
    } | overrides


def form_errors(response) -> dict:
    assert response.status_code == 200, "expected the form back with errors"
    return response.context["adminform"].form.errors


@pytest.fixture
def crew(shop_a):
    """Ann (8-17, everything) and Mike (8-12, refrigerators only)."""
    return hire(shop_a, "Ann Lee"), hire(
        shop_a, "Mike Ross", skills=["Refrigerator"], hours=("08:00", "12:00")
    )


def test_a_job_taken_by_phone_is_given_to_the_fairest_free_technician(client, bob, crew):
    client.force_login(bob)

    response = client.post(f"{URL}add/", phone_booking(crew[0].shop))

    assert response.status_code == 302
    assert Booking.objects.get().technician.name == "Ann Lee"


def test_staff_may_book_on_a_chosen_technician_at_a_start_time(client, bob, crew):
    ann, mike = crew
    client.force_login(bob)

    no_time = client.post(f"{URL}add/", phone_booking(ann.shop, technician=mike.pk, time_slot="am"))
    chosen = client.post(f"{URL}add/", phone_booking(ann.shop, technician=mike.pk))

    assert form_errors(no_time)["technician"] == [
        "Pick an exact start time to book on a chosen technician."
    ]
    assert chosen.status_code == 302
    assert Booking.objects.get().technician == mike


def test_a_chosen_technician_off_shift_is_refused_unless_the_owner_overbooks(
    client, alice, bob, crew
):
    ann, mike = crew
    data = phone_booking(ann.shop, technician=mike.pk, time_slot="14:00")
    client.force_login(bob)
    refused = client.post(f"{URL}add/", data)
    client.force_login(alice)
    forced = client.post(f"{URL}add/", data | {"overbook": "on"})

    assert "Mike Ross is not on shift from 14:00 to 15:30" in form_errors(refused)["technician"][0]
    assert forced.status_code == 302
    booking = Booking.objects.get()
    assert (booking.technician, booking.overbooked) == (mike, True)


def test_a_job_is_reassigned_on_its_page_and_a_busy_technician_is_refused(client, bob, crew):
    ann, mike = crew
    zoe = hire(ann.shop, "Zoe Park")
    first = book(ann.shop, TUESDAY, "09:00", technician=ann)
    mikes = book(ann.shop, TUESDAY, "10:00", technician=mike)
    client.force_login(bob)

    moved = client.post(change_url(first), change_data(first, technician=mike.pk))
    first.refresh_from_db()
    other = client.post(change_url(mikes), change_data(mikes, technician=zoe.pk))

    assert (
        "Mike Ross has another job between 09:00 and 10:30" in form_errors(moved)["technician"][0]
    )
    assert first.technician == ann
    assert other.status_code == 302
    mikes.refresh_from_db()
    assert mikes.technician == zoe
    assert {row.technician for row in Occupancy.objects.filter(booking=mikes)} == {zoe}


def test_unassigning_frees_the_technician_and_keeps_the_seat(client, bob, crew):
    ann, _ = crew
    booking = book(ann.shop, TUESDAY, "09:00")
    client.force_login(bob)

    response = client.post(change_url(booking), change_data(booking, technician=""))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.technician is None and booking.holds_seat
    assert not Occupancy.objects.filter(booking=booking).exists()


def test_a_longer_job_that_no_longer_fits_is_refused_on_its_length(client, bob, crew):
    ann, _ = crew
    booking = book(ann.shop, TUESDAY, "09:00", technician=ann, appliance="Dryer")
    book(ann.shop, TUESDAY, "11:00", technician=ann, appliance="Dryer")
    client.force_login(bob)

    refused = client.post(change_url(booking), change_data(booking, duration_minutes="150"))
    longer = client.post(change_url(booking), change_data(booking, duration_minutes="120"))

    assert "Ann Lee has another job" in form_errors(refused)["duration_minutes"][0]
    assert longer.status_code == 302
    booking.refresh_from_db()
    assert booking.duration_minutes == 120
    assert Occupancy.objects.filter(booking=booking).count() == 24


def test_the_page_shows_the_technician_and_when_the_job_ends(client, bob, crew):
    ann, _ = crew
    booking = book(ann.shop, TUESDAY, "09:00", technician=ann)
    client.force_login(bob)

    html = client.get(change_url(booking)).content.decode()

    assert 'name="technician"' in html and "10:30 AM (90 minutes)" in html
    assert f'<option value="{ann.pk}" selected>Ann Lee</option>' in html


def test_a_shop_without_technicians_keeps_its_page_as_it_was(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(bob)

    assert 'name="technician"' not in client.get(change_url(booking)).content.decode()
    assert 'name="technician"' not in client.get(f"{URL}add/").content.decode()


def test_charlie_cannot_book_on_shop_as_technician(client, charlie, shop_b, crew):
    ann, _ = crew
    hire(shop_b, "Bea Other")
    client.force_login(charlie)

    page = client.get(f"{URL}add/").content.decode()
    crafted = client.post(f"{URL}add/", phone_booking(shop_b, technician=ann.pk))

    assert "Bea Other" in page and "Ann Lee" not in page
    assert "technician" in form_errors(crafted)
    assert not Booking.objects.exists()


def test_the_start_times_say_how_many_technicians_are_free(client, bob, crew):
    ann, _ = crew
    book(ann.shop, TUESDAY, "09:00", technician=ann)  # 09:00-10:30
    client.force_login(bob)

    form = (
        client.get(f"{URL}add/", {"scheduled_date": TUESDAY.isoformat()}).context["adminform"].form
    )
    choices = dict(form.fields["time_slot"].choices)

    # No appliance picked yet: anyone counts, for the shop's default hour.
    assert choices["08:00"] == "8:00 AM · 2 technicians free"
    assert choices["10:00"] == "10:00 AM · 1 technician free", "Ann is busy until 10:30"
    assert choices["11:00"] == "11:00 AM · 2 technicians free"
    assert choices["16:00"] == "4:00 PM · 1 technician free", "Mike works mornings"
    assert choices["am"] == "Morning (8 AM-12 PM) · room"
    assert form.fields["time_slot"].help_text.startswith("Tue Dec 8: room that day.")


def test_a_job_moved_and_unassigned_at_once_takes_nobodys_time(client, bob, crew):
    ann, mike = crew
    for technician in crew:  # who is e-mailed about tomorrow (Tuesday) shows who it touched
        technician.email = f"{technician.name.split()[0].lower()}@example.com"
        technician.save()
    booking = book(ann.shop, TUESDAY, "09:00", technician=ann, appliance="Dryer")
    book(ann.shop, TUESDAY, "15:00", technician=ann, appliance="Dryer", name="Raj Patel")
    made_with_them = list(Notification.objects.values_list("pk", flat=True))
    client.force_login(bob)

    response = client.post(
        change_url(booking), change_data(booking, scheduled_time="15:00:00", technician="")
    )

    assert response.status_code == 302, "Ann is busy at 15:00 and Mike off: nobody is asked"
    booking.refresh_from_db()
    assert (booking.scheduled_time, booking.technician) == (dt.time(15), None)
    assert not Occupancy.objects.filter(booking=booking).exists()
    told = Notification.objects.exclude(pk__in=made_with_them).filter(
        kind__startswith="technician_"
    )
    assert [(row.kind, row.technician) for row in told] == [
        (Notification.Kind.TECHNICIAN_REMOVED, ann)
    ]
