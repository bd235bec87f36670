from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core import signing
from django.test import Client

from booking.models import Booking
from booking.self_service import self_service_token
from booking.tests.factories import BookingFactory
from booking.tests.helpers import fill_starts, form_data, many_bookings, next_working_day, page_url
from booking.views import confirmation_url
from technicians.tests.helpers import hire
from tenants.models import BlackoutDate
from tenants.tests.factories import ShopFactory


def test_the_windows_promise_the_contracts_hours_by_default(client, shop_a):
    html = client.get(page_url(shop_a)).content.decode()

    assert "Arrival between 8 AM and 12 PM" in html
    assert "Arrival between 12 PM and 5 PM" in html


def test_the_windows_promise_only_the_shops_own_hours(client, shop_a):
    booking_settings = shop_a.booking_settings
    booking_settings.first_start, booking_settings.last_start = dt.time(9), dt.time(15)
    booking_settings.save()

    html = client.get(page_url(shop_a)).content.decode()

    assert "Arrival between 9 AM and 12 PM" in html
    assert "Arrival between 12 PM and 4 PM" in html
    assert "8 AM" not in html and "5 PM" not in html


def day_radio(html: str, day: dt.date) -> str:
    """The <input> tag of one day of the calendar."""
    start = html.index(f'id="id_scheduled_date_{day.isoformat()}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start) + 1]


def test_the_page_shows_the_shop_and_every_field(client, shop_a):
    response = client.get(page_url(shop_a))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Done Right Appliance" in html
    assert 'href="tel:+16615550100"' in html
    assert "csrfmiddlewaretoken" in html
    for name in ("name", "phone", "email", "address", "appliance_type", "issue", "time_slot"):
        assert f'name="{name}"' in html
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    assert 'type="email"' in html and 'autocomplete="email"' in html
    assert 'autocomplete="street-address"' in html
    assert '<option value="Garbage Disposal">' in html


def test_a_customer_books_a_repair_and_lands_on_the_confirmation(client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)

    response = client.post(page_url(shop_a), form_data(shop_a), REMOTE_ADDR="203.0.113.9")

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == confirmation_url(booking)
    assert booking.shop == shop_a
    assert booking.channel == Booking.Channel.BOOKING_PAGE
    assert booking.source == "web"
    assert booking.phone == "+15551234567"
    assert (booking.scheduled_date, booking.scheduled_time) == (day, dt.time(8, 0))
    assert booking.client_ip == "203.0.113.9"

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert booking.reference in html
    assert day.strftime("%B") in html and f"{day.day}," in html
    assert "8:00 AM" in html
    assert "123 Main St, Lancaster CA 93534" in html
    assert "Refrigerator" in html
    assert 'href="tel:+16615550100"' in html
    assert "calendar.ics" in html
    assert "window changed" not in html


def test_reloading_the_confirmation_does_not_book_again(client, shop_a):
    location = client.post(page_url(shop_a), form_data(shop_a))["Location"]

    client.get(location)
    client.get(location)

    assert Booking.objects.count() == 1


def test_a_shops_link_tags_the_booking_with_its_source(client, shop_a):
    response = client.get(page_url(shop_a, "?source=yelp"))
    assert 'action="/book/done-right-appliance?source=yelp"' in response.content.decode()

    client.post(page_url(shop_a, "?source=yelp"), form_data(shop_a))

    assert Booking.objects.get().source == "yelp"


def test_first_available_books_the_earliest_start_with_room(client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, hours=[8, 9])

    client.post(page_url(shop_a), form_data(shop_a, time_slot=""))

    booking = Booking.objects.get()
    assert booking.scheduled_time == dt.time(10, 0)
    assert booking.reassigned is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "Enter your name."),
        ("name", "x" * 121, "Keep your name under 120 characters."),
        ("phone", "", "Enter a phone number so the technician can reach you."),
        ("phone", "12", "Enter a phone number we can call, like (555) 123-4567."),
        (
            "phone",
            "555-123-4567 x12",
            "Enter the number without an extension; mention the extension with the problem.",
        ),
        ("email", "jane@", "Enter an e-mail address like jane@example.com, or leave it empty."),
        ("address", "", "Enter the address where the appliance is."),
        ("address", "x" * 301, "Keep the address under 300 characters."),
        ("appliance_type", "", "Choose the appliance that needs a repair."),
        ("appliance_type", "Toaster", "Choose one of the listed appliances."),
        ("issue", "x" * 2001, "Keep the description under 2000 characters (it has 2001)."),
        ("scheduled_date", "", "Pick a day for the visit."),
        ("scheduled_date", "next tuesday", "Pick one of the open days."),
        ("time_slot", "evening", "Choose morning, afternoon or first available."),
    ],
)
def test_each_bad_field_gets_its_error_beside_it_and_in_the_summary(
    client, shop_a, field, value, message
):
    response = client.post(page_url(shop_a), form_data(shop_a, **{field: value}))

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error">{message}<' in html
    assert 'role="alert"' in html
    assert f'<a href="#id_{field}">' in html
    assert html.index('role="alert"') < html.index("<form")
    assert not Booking.objects.exists()


def test_an_error_keeps_everything_typed(client, shop_a):
    data = form_data(shop_a, email="not-an-address", issue="Ice maker leaks", time_slot="pm")

    html = client.post(page_url(shop_a), data).content.decode()

    assert 'value="Jane Smith"' in html
    assert 'value="(555) 123-4567"' in html
    assert 'value="not-an-address"' in html
    assert 'value="123 Main St, Lancaster CA 93534"' in html
    assert '<option value="Refrigerator" selected>' in html
    assert "Ice maker leaks</textarea>" in html
    assert "checked" in day_radio(html, dt.date.fromisoformat(data["scheduled_date"]))
    assert 'value="pm" id="id_time_slot_2" checked' in html
    assert (
        'aria-invalid="true"' in html
        and 'aria-describedby="id_email_helptext id_email_error"' in html
    )


def test_an_address_outside_the_service_area_is_refused_beside_the_address(client, shop_a):
    shop_a.booking_settings.service_zip_codes = ["93534"]
    shop_a.booking_settings.save()

    response = client.post(page_url(shop_a), form_data(shop_a, address="1 Elm St, Reno NV 89501"))

    assert response.status_code == 400
    assert (
        'id="id_address_error">ZIP code 89501 is outside this shop&#x27;s service area.<'
        in response.content.decode()
    )
    assert not Booking.objects.exists()


def test_a_full_day_is_not_offered(client, shop_a):
    full = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, full)
    open_day = next_working_day(
        shop_a, days_ahead=full.toordinal() - shop_a.today().toordinal() + 1
    )

    html = client.get(page_url(shop_a)).content.decode()

    assert "disabled" in day_radio(html, full)
    assert "fully booked" in html
    assert "disabled" not in day_radio(html, open_day)


def test_with_no_open_day_the_page_says_to_call(client, shop_a):
    shop_a.booking_settings.working_weekdays = []
    shop_a.booking_settings.save()

    html = client.get(page_url(shop_a)).content.decode()

    assert "No day in the coming weeks has room left. Please call" in html
    days = re.findall(r'<input[^>]*name="scheduled_date"[^>]*>', html)
    assert len(days) >= 28
    assert all(" disabled" in day for day in days)


def test_weekends_blackouts_and_days_past_the_notice_cannot_be_picked(client, shop_a, freeze_now):
    # Tuesday 13:00 at the shop: with two hours' notice today still has 15:00 and 16:00.
    freeze_now(dt.datetime(2026, 12, 1, 13, 0, tzinfo=shop_a.tz))
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=dt.date(2026, 12, 3))

    html = client.get(page_url(shop_a)).content.decode()

    assert "disabled" not in day_radio(html, dt.date(2026, 12, 1))
    assert 'data-am="0" data-pm="1"' in day_radio(html, dt.date(2026, 12, 1))
    assert "disabled" not in day_radio(html, dt.date(2026, 12, 2))
    assert "disabled" in day_radio(html, dt.date(2026, 12, 3))
    assert "disabled" in day_radio(html, dt.date(2026, 12, 5))
    assert "id_scheduled_date_2026-11-30" not in html


def test_a_day_that_filled_up_meanwhile_asks_for_another_day(client, shop_a):
    data = form_data(shop_a)
    fill_starts(shop_a, dt.date.fromisoformat(data["scheduled_date"]))

    response = client.post(page_url(shop_a), data)

    assert response.status_code == 400
    assert "That day filled up while you were booking" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_window_that_filled_up_meanwhile_books_the_next_time_and_says_so(client, shop_a):
    data = form_data(shop_a, time_slot="am")
    fill_starts(shop_a, dt.date.fromisoformat(data["scheduled_date"]), hours=range(8, 12))

    response = client.post(page_url(shop_a), data, follow=True)

    booking = Booking.objects.get()
    assert booking.scheduled_time == dt.time(12, 0)
    html = response.content.decode()
    assert "Your arrival window changed" in html
    assert "The morning filled up just before your booking arrived" in html
    assert "<strong>12:00 PM</strong>, in the afternoon" in html


def test_link_checkers_may_ask_for_the_confirmation_and_its_calendar_file_with_head(client, shop_a):
    location = client.post(page_url(shop_a), form_data(shop_a))["Location"]

    page = client.head(location)
    calendar_file = client.head(location + "/calendar.ics")

    assert page.status_code == calendar_file.status_code == 200
    assert calendar_file["Content-Type"].startswith("text/calendar")


def test_the_calendar_file_has_the_shops_local_time(client, shop_b):
    data = form_data(shop_b, time_slot="pm", address="9 Oak Ave, Albany NY 12207")
    location = client.post(page_url(shop_b), data)["Location"]

    response = client.get(location + "/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    starts = event.decoded("DTSTART")
    assert starts.astimezone(shop_b.tz).replace(tzinfo=None) == dt.datetime.combine(
        dt.date.fromisoformat(data["scheduled_date"]), dt.time(12, 0)
    )
    # The job's length: the shop's default for a refrigerator.
    assert event.decoded("DTEND") - starts == dt.timedelta(minutes=90)
    assert str(event["LOCATION"]) == "9 Oak Ave, Albany NY 12207"
    assert "Fix It Fast" in str(event["SUMMARY"])


def test_an_unknown_or_inactive_shop_gets_the_404_page(client, db):
    ShopFactory(slug="closed-for-good", is_active=False)

    for slug in ("no-such-shop", "closed-for-good"):
        response = client.get(f"/book/{slug}")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()
        assert client.post(f"/book/{slug}", {}).status_code == 404


def test_with_booking_off_the_page_says_so_and_gives_the_phone(client, shop_a):
    shop_a.booking_settings.booking_enabled = False
    shop_a.booking_settings.save()

    page = client.get(page_url(shop_a))
    posted = client.post(page_url(shop_a), form_data(shop_a))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Online booking is paused" in html
    assert 'href="tel:+16615550100"' in html
    assert "<form" not in html
    assert posted.status_code == 403
    assert not Booking.objects.exists()


def test_a_post_without_the_pages_csrf_token_books_nothing(shop_a):
    client = Client(enforce_csrf_checks=True)
    client.get(page_url(shop_a))

    forged = client.post(page_url(shop_a), form_data(shop_a))
    token = client.cookies["csrftoken"].value
    genuine = client.post(page_url(shop_a), {**form_data(shop_a), "csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert genuine.status_code == 302
    assert Booking.objects.count() == 1


def test_a_refused_csrf_check_tells_the_customer_what_to_do(shop_a):
    client = Client(enforce_csrf_checks=True)

    response = client.post(page_url(shop_a, "?source=yelp"), form_data(shop_a))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form was not sent" in html
    assert "Nothing was booked" in html
    assert f'href="{page_url(shop_a, "?source=yelp")}"' in html
    assert not Booking.objects.exists()


def test_a_filled_honeypot_books_nothing(client, shop_a):
    response = client.post(page_url(shop_a), form_data(shop_a, website="http://spam.example"))

    assert response.status_code == 400
    assert "We could not take this booking" in response.content.decode()
    assert not Booking.objects.exists()


def test_the_page_costs_the_same_queries_with_ten_or_many_bookings(
    client, shop_a, django_assert_num_queries
):
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(shop_a)).status_code == 200
        return len(captured)

    first_day = next_working_day(shop_a, days_ahead=2)
    many_bookings(shop_a, first_day, 10, weekdays=15)
    few = count_queries()
    many_bookings(shop_a, first_day, 200, weekdays=15)

    with django_assert_num_queries(few):
        client.get(page_url(shop_a))
    # The shop with its settings, its blackout dates, its active technicians (none), the seat
    # counters of the weeks shown.
    assert few == 4


def test_charlies_shop_cannot_show_alices_booking(client, shop_a, shop_b):
    location = client.post(page_url(shop_a), form_data(shop_a))["Location"]
    token = location.rsplit("/", 1)[1]

    assert client.get(f"/book/{shop_b.slug}/booked/{token}").status_code == 404
    assert client.get(f"/book/{shop_b.slug}/booked/{token}/calendar.ics").status_code == 404
    assert client.get(location).status_code == 200


def test_a_booking_id_alone_or_a_tampered_token_shows_nothing(client, shop_a):
    location = client.post(page_url(shop_a), form_data(shop_a))["Location"]
    booking = Booking.objects.get()
    other = BookingFactory(shop=shop_a)
    forged = f"{other.pk.hex}:{location.rsplit(':', 1)[1]}"

    for token in (str(booking.pk), booking.pk.hex, forged, "x" * 40):
        assert client.get(f"/book/{shop_a.slug}/booked/{token}").status_code == 404


def test_a_cancelled_bookings_confirmation_says_so_without_a_calendar_file(client, shop_a):
    location = client.post(page_url(shop_a), form_data(shop_a))["Location"]
    Booking.objects.update(status=Booking.Status.CANCELLED)

    html = client.get(location).content.decode()

    assert "This booking was cancelled" in html
    assert "calendar.ics" not in html
    assert client.get(location + "/calendar.ics").status_code == 404


def test_the_confirmation_links_to_the_customers_own_page_to_change_or_cancel(client, shop_a):
    location = client.post(page_url(shop_a), form_data(shop_a))["Location"]
    booking = Booking.objects.get()

    html = client.get(location).content.decode()

    manage_url = f"/b/{self_service_token(booking)}/"
    assert f'href="{manage_url}">Change or cancel</a>' in html
    manage = client.get(manage_url).content.decode()
    assert booking.reference in manage
    assert f'href="/b/{self_service_token(booking)}/cancel"' in manage


def test_a_cancelled_bookings_confirmation_offers_no_change_link(client, shop_a):
    location = client.post(page_url(shop_a), form_data(shop_a))["Location"]
    booking = Booking.objects.get()
    Booking.objects.update(status=Booking.Status.CANCELLED)

    html = client.get(location).content.decode()

    assert self_service_token(booking) not in html
    assert "Change or cancel" not in html


def test_confirmation_tokens_are_signed_for_this_purpose_only(shop_a):
    booking = BookingFactory(shop=shop_a)
    token = confirmation_url(booking).rsplit("/", 1)[1]

    with pytest.raises(signing.BadSignature):
        signing.Signer().unsign(token)


def test_the_availability_endpoint_reports_a_picked_day(client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, hours=range(8, 12))
    url = f"/book/{shop_a.slug}/availability"

    assert client.get(url, {"date": day.isoformat()}).json() == {
        "date": day.isoformat(),
        "open": True,
        "am": False,
        "pm": True,
    }
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    assert client.get(url, {"date": saturday.isoformat()}).json()["open"] is False
    assert client.get(url, {"date": "soon"}).status_code == 400
    missing = client.get("/book/no-such-shop/availability", {"date": day.isoformat()})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_the_availability_endpoint_answers_for_the_picked_appliance(client, shop_a):
    hire(shop_a, "Fridge Fran", skills=["Refrigerator"], hours=("08:00", "12:00"))
    hire(shop_a, "Dryer Dan", skills=["Dryer"], hours=("12:00", "17:00"))
    day = next_working_day(shop_a, days_ahead=3)
    url = f"/book/{shop_a.slug}/availability"

    def ask(**query):
        answer = client.get(url, {"date": day.isoformat(), **query}).json()
        return answer["open"], answer["am"], answer["pm"]

    assert ask() == (True, True, True), "no appliance yet: anyone counts"
    assert ask(appliance="fridge") == (True, True, False)
    assert ask(appliance="Dryer") == (True, False, True)
    assert ask(appliance="Dishwasher") == (False, False, False)
