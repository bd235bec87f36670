from __future__ import annotations

import datetime as dt
import gzip
import re

import icalendar
import pytest
from django.core import signing
from django.test import Client

from booking.models import Booking
from booking.self_service import self_service_token
from booking.tests.factories import BookingFactory
from booking.tests.helpers import (
    book,
    fill_starts,
    form_data,
    many_bookings,
    next_working_day,
    page_url,
)
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
    # She asked for the morning: she is told the window, not the start the shop booked.
    assert "arriving <strong>between 8 AM and 12 PM</strong>." in html
    assert "<dd>Between 8 AM and 12 PM</dd>" in html
    assert "8:00" not in html
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

    last = shop_a.today() + dt.timedelta(days=shop_a.booking_settings.horizon_days)

    html = client.get(page_url(shop_a)).content.decode()

    assert f"No day up to {last:%B} {last.day} has room left. Please call" in html
    days = re.findall(r'<input[^>]*name="scheduled_date"[^>]*>', html)
    assert len(days) == shop_a.booking_settings.horizon_days + 1
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


def test_a_full_morning_books_the_afternoon_and_says_plainly_that_the_morning_was_full(
    client, shop_a
):
    # Without JavaScript the page cannot grey out a full morning once a day is picked.
    data = form_data(shop_a, time_slot="am")
    day = dt.date.fromisoformat(data["scheduled_date"])
    fill_starts(shop_a, day, hours=range(8, 12))

    response = client.post(page_url(shop_a), data, follow=True)

    booking = Booking.objects.get()
    assert booking.scheduled_time == dt.time(12, 0)
    html = response.content.decode()
    assert "<h2>The morning was full</h2>" in html
    assert (
        f"On {day:%A, %B} {day.day} the morning was full when you booked, so your visit is in the "
        "afternoon instead, arriving <strong>between 12 PM and 5 PM</strong>."
    ) in html
    assert "filled up just before" not in html
    assert f'<a href="/b/{self_service_token(booking)}/">change it</a>' in html


def test_a_full_exact_time_is_named_on_the_confirmation(client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, hours=[10])
    booking = book(shop_a, day, "10:00")

    html = client.get(confirmation_url(booking)).content.decode()

    assert "<h2>10:00 AM was full</h2>" in html
    assert "so your visit is in the morning instead, arriving <strong>at 11:00 AM</strong>" in html


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
    # She asked for the afternoon: the event spans the window, 12 PM to 5 PM at the shop.
    assert event.decoded("DTEND") - starts == dt.timedelta(hours=5)
    assert "Technician arrives between 12 PM and 5 PM." in str(event["DESCRIPTION"])
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


def test_a_year_of_days_keeps_the_page_light(client, shop_a, django_assert_num_queries):
    shop_a.booking_settings.horizon_days = 365
    shop_a.booking_settings.save()

    # The shop with its settings, its blackout dates, its active technicians (none), the seats.
    with django_assert_num_queries(4):
        html = client.get(page_url(shop_a)).content

    assert len(re.findall(rb'name="scheduled_date"', html)) == 366
    # The whole page, as a server that compresses sends it (it was 3 KB with six weeks).
    assert len(gzip.compress(html)) < 10_000
    assert html.count(b"<details") >= 10, "months after the second fold away"


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


def days_by_month(html: str) -> dict[str, list[dt.date]]:
    """The calendar's days under each month heading, in page order."""
    months: dict[str, list[dt.date]] = {}
    heading = None
    for match in re.finditer(
        r'<h3 class="month-name"[^>]*>([^<]+)</h3>|id="id_scheduled_date_([\d-]+)"', html
    ):
        if match.group(1):
            heading = match.group(1)
            months[heading] = []
        else:
            months[heading].append(dt.date.fromisoformat(match.group(2)))
    return months


def test_each_day_sits_under_its_own_months_heading(client, shop_a, freeze_now):
    # Friday 27 November: the days start in the last days of a month.
    freeze_now(dt.datetime(2026, 11, 27, 9, 0, tzinfo=shop_a.tz))

    months = days_by_month(client.get(page_url(shop_a)).content.decode())

    assert list(months) == ["November 2026", "December 2026", "January 2027"]
    for heading, days in months.items():
        assert {f"{day:%B %Y}" for day in days} == {heading}
    assert months["December 2026"][0] == dt.date(2026, 12, 1)
    assert months["December 2026"][-1] == dt.date(2026, 12, 31)


def test_the_page_offers_every_day_up_to_the_shops_horizon(client, shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 11, 27, 9, 0, tzinfo=shop_a.tz))
    shop_a.booking_settings.horizon_days = 90
    shop_a.booking_settings.save()
    last = dt.date(2026, 11, 27) + dt.timedelta(days=90)  # a Thursday

    html = client.get(page_url(shop_a)).content.decode()

    offered = [day for days in days_by_month(html).values() for day in days]
    assert offered[0] == dt.date(2026, 11, 27) and offered[-1] == last
    assert len(offered) == 91
    assert "disabled" not in day_radio(html, last)
    assert "We book online up to Thursday, February 25." in html


def test_a_picked_day_in_a_later_month_stays_in_view_after_an_error(client, shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 11, 27, 9, 0, tzinfo=shop_a.tz))
    data = form_data(shop_a, name="", scheduled_date="2027-01-12")

    html = client.post(page_url(shop_a), data).content.decode()

    before = html[: html.index('id="month-2027-01"')]
    # January, the third month, would fold away; with its day picked it shows open.
    assert before.rfind('<div class="month"') > before.rfind('<details class="month"')
    assert "checked" in day_radio(html, dt.date(2027, 1, 12))


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
