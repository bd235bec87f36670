from __future__ import annotations

import datetime as dt
import json
import uuid
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.db import connection

from booking.models import Booking, Notification, SeatCounter
from booking.tests.factories import BookingFactory
from booking.tests.helpers import BOOK_API as URL
from booking.tests.helpers import contract_body, fill_starts, next_working_day, seats_taken
from booking.tests.helpers import post_booking as post
from technicians.tests.helpers import hire
from tenants.tests.factories import ShopFactory


def test_the_contract_example_books_as_written(api_client, shop_a):
    response = api_client.post(URL, contract_body(shop_a), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["success"] is True
    assert data["scheduled_time"] == "08:00:00"
    assert data["time_slot"] == "am"
    assert data["reassigned"] is False
    booking = Booking.objects.get(pk=data["booking_id"])
    assert booking.phone == "+15551234567"
    assert booking.source == "ahs"
    assert booking.channel == Booking.Channel.API


def test_the_contract_date_is_now_in_the_past(api_client, shop_a):
    response = api_client.post(
        URL, contract_body(shop_a, scheduled_date="2026-06-03"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"
    assert "today or later" in response.json()["error"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "missing", ["slug", "name", "phone", "address", "appliance_type", "scheduled_date"]
)
def test_it_names_the_first_missing_required_field(api_client, shop_a, missing):
    body = contract_body(shop_a)
    del body[missing]

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == f"Missing required field: {missing}"
    assert response.json()["code"] == "missing_field"


def test_a_full_am_moves_to_pm(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, range(8, 12))

    response = api_client.post(
        URL, contract_body(shop_a, scheduled_date=day.isoformat()), format="json"
    )

    assert response.status_code == 201
    assert response.json()["scheduled_time"] == "12:00:00"
    assert response.json()["reassigned"] is True


def assert_refused(response, *, status=400, code="invalid_field", field=None, says=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["code"] == code
    if field:
        assert data["field"] == field
        assert field in data["error"]
    if says:
        assert says in data["error"]
    assert not Booking.objects.exists()


# --- The response ------------------------------------------------------------------------


def test_the_response_has_the_contracts_fields_and_ours(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)

    data = post(api_client, contract_body(shop_a, scheduled_date=day.isoformat())).json()

    assert set(data) == {
        "success",
        "booking_id",
        "scheduled_date",
        "scheduled_time",
        "time_slot",
        "reassigned",
        "requested_time_slot",
        "duplicate",
    }
    assert uuid.UUID(data["booking_id"])
    assert data["scheduled_date"] == day.isoformat()
    assert data["requested_time_slot"] == "am"


def test_it_stores_every_field_for_the_dispatcher(api_client, shop_a):
    body = contract_body(
        shop_a,
        work_order_number="WO-881",
        claim_number="CLM-42",
        authorization_number="$250 pre-auth",
        issue="Leaking at the door seal.",
    )

    response = post(api_client, body, REMOTE_ADDR="203.0.113.5")

    booking = Booking.objects.get(pk=response.json()["booking_id"])
    assert booking.shop == shop_a
    assert booking.customer_name == "Jane Smith"
    assert booking.email == "jane@example.com"
    assert booking.address == "123 Main St, Lancaster CA 93534"
    assert booking.appliance_type == "Refrigerator"
    assert booking.appliance_type_original == ""
    assert booking.issue == "Leaking at the door seal."
    assert booking.work_order_number == "WO-881"
    assert booking.claim_number == "CLM-42"
    assert booking.authorization_number == "$250 pre-auth"
    assert booking.status == Booking.Status.SCHEDULED
    assert booking.client_ip == "203.0.113.5"
    assert booking.requested_time_slot == "am"


def test_a_booking_for_shop_b_lands_on_shop_bs_calendar_only(api_client, shop_a, shop_b):
    body = contract_body(shop_b, scheduled_date=next_working_day(shop_b, days_ahead=3).isoformat())

    response = post(api_client, body)

    assert response.status_code == 201
    assert Booking.objects.get().shop == shop_b
    assert not shop_a.bookings.exists()


def test_optional_fields_may_be_left_out_or_null(api_client, shop_a):
    body = {
        key: value
        for key, value in contract_body(shop_a).items()
        if key in ("slug", "name", "phone", "address", "appliance_type", "scheduled_date")
    }
    body["email"] = None

    response = post(api_client, body)

    assert response.status_code == 201, response.json()
    assert response.json()["scheduled_time"] == "08:00:00"
    assert response.json()["requested_time_slot"] is None
    assert response.json()["reassigned"] is False
    booking = Booking.objects.get()
    assert (booking.email, booking.issue, booking.source) == ("", "", "")


def test_unknown_extra_fields_are_ignored(api_client, shop_a):
    response = post(api_client, contract_body(shop_a, customer_tier="gold", crm_id="A-17"))

    assert response.status_code == 201
    assert Booking.objects.get().customer_name == "Jane Smith"


def test_a_form_encoded_body_books_too(api_client, shop_a):
    response = api_client.post(
        URL,
        urlencode(contract_body(shop_a)),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.json()
    assert Booking.objects.get().phone == "+15551234567"


def test_a_json_object_sent_as_form_data_books_as_the_json_it_is(api_client, shop_a):
    # curl -d '{...}' without a Content-Type header labels the JSON as form data.
    body = json.dumps(contract_body(shop_a), indent=2)

    response = api_client.post(URL, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 201, response.json()
    # Read as JSON, not as form data, where "+" would have become a space.
    assert Booking.objects.get().phone == "+15551234567"


def test_a_json_list_sent_as_form_data_is_answered_as_json(api_client, db):
    response = api_client.post(URL, "[1, 2]", content_type="application/x-www-form-urlencoded")

    assert_refused(response, code="malformed_body", says="must be a JSON object")


def test_a_multipart_body_is_415_in_json(api_client, shop_a):
    response = api_client.post(URL, contract_body(shop_a), format="multipart")

    assert_refused(response, status=415, code="unsupported_media_type")
    assert "application/json" in response.json()["error"]


def test_a_trailing_slash_is_accepted(api_client, shop_a):
    assert api_client.post(URL + "/", contract_body(shop_a), format="json").status_code == 201


# --- slug ---------------------------------------------------------------------------------


def test_an_unknown_slug_is_404(api_client, shop_a):
    response = post(api_client, contract_body(shop_a, slug="no-such-shop"))

    assert_refused(response, status=404, code="not_found", says="no-such-shop")


def test_an_inactive_shop_is_404_like_an_unknown_one(api_client, shop_a):
    shop_a.is_active = False
    shop_a.save()

    response = post(api_client, contract_body(shop_a))

    assert_refused(response, status=404, code="not_found")


def test_a_shop_with_booking_off_is_404_saying_so(api_client, shop_a):
    shop_a.booking_settings.booking_enabled = False
    shop_a.booking_settings.save()

    response = post(api_client, contract_body(shop_a))

    assert_refused(
        response,
        status=404,
        code="booking_disabled",
        says="Done Right Appliance is not taking online bookings",
    )


def test_the_slug_is_matched_regardless_of_case_and_spaces(api_client, shop_a):
    assert post(api_client, contract_body(shop_a, slug=" Done-Right-Appliance ")).status_code == 201


# --- Required fields ----------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_required_field_counts_as_missing(api_client, shop_a, blank):
    response = post(api_client, contract_body(shop_a, name=blank))

    assert_refused(response, code="missing_field")
    assert response.json()["error"] == "Missing required field: name"


def test_the_first_missing_field_in_the_contracts_order_is_named(api_client, shop_a):
    body = contract_body(shop_a)
    del body["scheduled_date"], body["phone"], body["address"]

    response = post(api_client, body)

    assert response.json()["error"] == "Missing required field: phone"


def test_an_empty_body_names_the_slug(api_client, db):
    response = post(api_client, {})

    assert_refused(response, code="missing_field")
    assert response.json()["error"] == "Missing required field: slug"


# --- phone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone,stored",
    [
        ("+15551234567", "+15551234567"),
        ("5551234567", "+15551234567"),
        ("15551234567", "+15551234567"),
        ("(555) 123-4567", "+15551234567"),
        ("555.123.4567", "+15551234567"),
        ("+1 555-123-4567", "+15551234567"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_as_e164(api_client, shop_a, phone, stored):
    response = post(api_client, contract_body(shop_a, phone=phone))

    assert response.status_code == 201, response.json()
    assert Booking.objects.get().phone == stored


@pytest.mark.parametrize("phone", ["123", "call me", "555-1234", "+1555123456789012"])
def test_an_impossible_phone_number_is_refused(api_client, shop_a, phone):
    response = post(api_client, contract_body(shop_a, phone=phone))

    assert_refused(response, field="phone", says="+15551234567")


def test_a_phone_extension_is_refused_not_dropped(api_client, shop_a):
    response = post(api_client, contract_body(shop_a, phone="(555) 123-4567 ext 12"))

    assert_refused(response, field="phone", says="without an extension")


# --- email --------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["jane", "jane@", "jane@@example.com", "jane example@x.com"])
def test_a_malformed_email_is_refused(api_client, shop_a, email):
    assert_refused(post(api_client, contract_body(shop_a, email=email)), field="email")


def test_an_empty_email_is_fine(api_client, shop_a):
    assert post(api_client, contract_body(shop_a, email="")).status_code == 201


# --- Length caps: over a cap is refused, never cut ------------------------------------


@pytest.mark.parametrize(
    "field,cap",
    [
        ("issue", 2000),
        ("name", 120),
        ("address", 300),
        ("source", 60),
        ("work_order_number", 64),
        ("claim_number", 64),
        ("authorization_number", 64),
        ("appliance_type", 100),
    ],
)
def test_a_field_at_its_cap_is_kept_whole(api_client, shop_a, field, cap):
    value = "x" * (cap - 6) + " 93534"

    response = post(api_client, contract_body(shop_a, **{field: value}))

    assert response.status_code == 201, response.json()
    booking = Booking.objects.get()
    stored = {
        "name": booking.customer_name,
        "appliance_type": booking.appliance_type_original,
    }.get(field, getattr(booking, field, None))
    assert stored == value


@pytest.mark.parametrize(
    "field,cap",
    [
        ("issue", 2000),
        ("name", 120),
        ("address", 300),
        ("source", 60),
        ("work_order_number", 64),
        ("claim_number", 64),
        ("authorization_number", 64),
        ("appliance_type", 100),
    ],
)
def test_a_field_over_its_cap_is_refused_naming_it(api_client, shop_a, field, cap):
    response = post(api_client, contract_body(shop_a, **{field: "x" * (cap + 1)}))

    assert_refused(response, field=field, says=f"at most {cap} characters")


def test_an_object_where_text_belongs_is_refused(api_client, shop_a):
    assert_refused(post(api_client, contract_body(shop_a, name={"first": "Jane"})), field="name")


# --- appliance_type: never refused for a taxonomy mismatch -------------------------------


@pytest.mark.parametrize(
    "sent,type_,original",
    [
        ("Refrigerator", "Refrigerator", ""),
        ("refrigerator", "Refrigerator", "refrigerator"),
        ("Fridge", "Refrigerator", "Fridge"),
        ("washing machine", "Washer", "washing machine"),
        ("Stove", "Range", "Stove"),
        ("oven", "Wall Oven", "oven"),
        ("Dishwashers", "Dishwasher", "Dishwashers"),
        ("Garbage disposal", "Garbage Disposal", "Garbage disposal"),
        ("Hot tub", "Other", "Hot tub"),
        ("Other", "Other", ""),
    ],
)
def test_appliance_types_match_the_shops_with_synonyms(api_client, shop_a, sent, type_, original):
    response = post(api_client, contract_body(shop_a, appliance_type=sent))

    assert response.status_code == 201
    booking = Booking.objects.get()
    assert (booking.appliance_type, booking.appliance_type_original) == (type_, original)


# --- scheduled_date -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2026/12/01", "12/01/2026", "tomorrow", 20261201])
def test_a_date_not_in_iso_form_is_refused(api_client, shop_a, value):
    response = post(api_client, contract_body(shop_a, scheduled_date=value))

    assert_refused(response, field="scheduled_date", says="YYYY-MM-DD format")


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30"])
def test_a_well_formed_date_that_does_not_exist_is_refused_saying_so(api_client, shop_a, value):
    response = post(api_client, contract_body(shop_a, scheduled_date=value))

    assert_refused(response, field="scheduled_date", says=f"{value} is not a real date")


def test_today_at_the_shop_is_bookable(api_client, shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC))  # Monday 07:00 in Lancaster

    response = post(api_client, contract_body(shop_a, scheduled_date="2026-03-02"))

    assert response.status_code == 201
    assert response.json()["scheduled_time"] == "09:00:00"


def test_yesterday_is_refused_naming_the_shops_today(api_client, shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC))

    response = post(api_client, contract_body(shop_a, scheduled_date="2026-03-02"))

    assert_refused(response, field="scheduled_date", says="today is 2026-03-03 at the shop")


def test_a_date_beyond_the_horizon_is_refused(api_client, shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC))

    ok = post(api_client, contract_body(shop_a, scheduled_date="2026-05-01"))  # day 60, a Friday
    refused = post(api_client, contract_body(shop_a, scheduled_date="2026-05-04"))

    assert ok.status_code == 201
    assert refused.status_code == 400
    assert refused.json()["field"] == "scheduled_date"
    assert "up to 2026-05-01" in refused.json()["error"]


def test_a_weekend_has_no_availability(api_client, shop_a):
    saturday = next_working_day(shop_a, days_ahead=3)
    while saturday.weekday() != 5:
        saturday += dt.timedelta(days=1)

    response = post(api_client, contract_body(shop_a, scheduled_date=saturday.isoformat()))

    assert_refused(response, code="no_availability")
    assert response.json()["error"] == "No availability on requested date"


def test_a_blackout_date_has_no_availability(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    shop_a.booking_settings.blackout_dates.create(date=day, reason="Staff training")

    response = post(api_client, contract_body(shop_a, scheduled_date=day.isoformat()))

    assert_refused(response, code="no_availability")
    assert response.json()["error"] == "No availability on requested date"


def test_a_shop_open_on_saturdays_takes_saturday_bookings(api_client, shop_a):
    shop_a.booking_settings.working_weekdays = [0, 1, 2, 3, 4, 5]
    shop_a.booking_settings.save()
    saturday = shop_a.today() + dt.timedelta(days=2)
    while saturday.weekday() != 5:
        saturday += dt.timedelta(days=1)

    response = post(api_client, contract_body(shop_a, scheduled_date=saturday.isoformat()))

    assert response.status_code == 201


# --- time_slot ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slot,time,window",
    [
        ("AM", "08:00:00", "am"),
        ("am", "08:00:00", "am"),
        ("PM", "12:00:00", "pm"),
        ("pm", "12:00:00", "pm"),
        ("10:00", "10:00:00", "am"),
        ("10:00 AM", "10:00:00", "am"),
        ("2:00 PM", "14:00:00", "pm"),
        ("16:00", "16:00:00", "pm"),
        ("", "08:00:00", "am"),
    ],
)
def test_time_slot_forms(api_client, shop_a, slot, time, window):
    response = post(api_client, contract_body(shop_a, time_slot=slot))

    assert response.status_code == 201, response.json()
    assert response.json()["scheduled_time"] == time
    assert response.json()["time_slot"] == window
    assert response.json()["reassigned"] is False


def test_a_time_between_starts_books_the_next_start(api_client, shop_a):
    response = post(api_client, contract_body(shop_a, time_slot="10:30"))

    assert response.json()["scheduled_time"] == "11:00:00"
    assert response.json()["requested_time_slot"] == "10:30"
    assert response.json()["reassigned"] is True


@pytest.mark.parametrize("slot", ["07:00", "16:30", "17:00", "6:00 PM"])
def test_a_time_outside_the_hours_is_refused_naming_them(api_client, shop_a, slot):
    response = post(api_client, contract_body(shop_a, time_slot=slot))

    assert_refused(response, field="time_slot", says="between 08:00 and 16:00")


@pytest.mark.parametrize("slot", ["morning", "10", "25:00"])
def test_an_unreadable_time_slot_is_refused(api_client, shop_a, slot):
    response = post(api_client, contract_body(shop_a, time_slot=slot))

    assert_refused(response, field="time_slot", says="AM, PM or a time like 10:00")


# --- Slot assignment ----------------------------------------------------------------------


def test_a_full_time_moves_to_the_next_later_start(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, [10])

    response = post(api_client, contract_body(shop_a, scheduled_date=str(day), time_slot="10:00"))

    assert response.json()["scheduled_time"] == "11:00:00"
    assert response.json()["reassigned"] is True
    assert response.json()["requested_time_slot"] == "10:00"


def test_when_every_later_start_is_full_it_takes_the_nearest_earlier(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, [14, 15, 16])

    response = post(api_client, contract_body(shop_a, scheduled_date=str(day), time_slot="14:00"))

    assert response.json()["scheduled_time"] == "13:00:00"
    assert response.json()["time_slot"] == "pm"


def test_a_full_pm_moves_to_the_latest_morning_start(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, range(12, 17))

    response = post(api_client, contract_body(shop_a, scheduled_date=str(day), time_slot="PM"))

    assert response.json()["scheduled_time"] == "11:00:00"
    assert response.json()["time_slot"] == "am"
    assert response.json()["reassigned"] is True


def test_a_full_day_has_no_availability(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, range(8, 17))

    response = post(api_client, contract_body(shop_a, scheduled_date=str(day)))

    assert_refused(response, code="no_availability")
    assert response.json()["error"] == "No availability on requested date"
    assert not SeatCounter.objects.filter(booked__gt=2).exists()


def test_capacity_is_the_shops_jobs_per_start_time(api_client, shop_a):
    shop_a.booking_settings.jobs_per_start_time = 3
    shop_a.booking_settings.save()
    body = contract_body(shop_a, time_slot="09:00")

    times = [post(api_client, body).json()["scheduled_time"] for _ in range(4)]

    assert times == ["09:00:00", "09:00:00", "09:00:00", "10:00:00"]


def test_starts_inside_the_minimum_notice_are_skipped(api_client, shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC))  # Monday 09:30 in Lancaster

    response = post(api_client, contract_body(shop_a, scheduled_date="2026-03-02", time_slot="AM"))

    # 11:00 is only 90 minutes away; the shop asks for two hours.
    assert response.json()["scheduled_time"] == "12:00:00"
    assert response.json()["reassigned"] is True


def test_today_after_the_last_start_has_no_availability(api_client, shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC))  # Monday 17:00 in Lancaster

    response = post(api_client, contract_body(shop_a, scheduled_date="2026-03-02"))

    assert_refused(response, code="no_availability")


# --- Each shop judges "today" by its own clock ------------------------------------------

# 10:30 UTC on Tuesday 3 March 2026: Wednesday 00:30 on Kiritimati (UTC+14), Monday 23:30 in
# Pago Pago (UTC-11). The server's own date is the Tuesday.
FIXED_NOW = dt.datetime(2026, 3, 3, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def kiritimati(db):
    return ShopFactory(slug="kiritimati-repairs", time_zone="Pacific/Kiritimati")


@pytest.fixture
def pago_pago(db):
    return ShopFactory(slug="pago-pago-repairs", time_zone="Pacific/Pago_Pago")


def test_kiritimati_is_already_on_wednesday(api_client, kiritimati, freeze_now):
    freeze_now(FIXED_NOW)

    tuesday = post(api_client, contract_body(kiritimati, scheduled_date="2026-03-03"))
    wednesday = post(api_client, contract_body(kiritimati, scheduled_date="2026-03-04"))

    assert tuesday.status_code == 400
    assert "today is 2026-03-04 at the shop" in tuesday.json()["error"]
    assert wednesday.status_code == 201
    assert wednesday.json()["scheduled_time"] == "08:00:00"


def test_pago_pago_is_still_on_monday(api_client, pago_pago, freeze_now):
    freeze_now(FIXED_NOW)

    monday = post(api_client, contract_body(pago_pago, scheduled_date="2026-03-02"))
    tuesday = post(api_client, contract_body(pago_pago, scheduled_date="2026-03-03"))

    # Monday is still today there (not past), but its last start went by at 16:00.
    assert monday.status_code == 400
    assert monday.json()["code"] == "no_availability"
    assert tuesday.status_code == 201
    assert tuesday.json()["scheduled_time"] == "08:00:00"


# --- The transport: every error is JSON ---------------------------------------------------


def test_malformed_json_is_400(api_client, db):
    response = api_client.post(URL, '{"slug": "done-right', content_type="application/json")

    assert_refused(response, code="malformed_body", says="Malformed request body")


@pytest.mark.parametrize(
    "body, kind",
    [("[1, 2]", "a list"), ("null", "null"), ('"slug"', "a string"), ("42", "a number")],
)
def test_a_json_body_that_is_not_an_object_is_a_malformed_body(api_client, db, body, kind):
    response = api_client.post(URL, body, content_type="application/json")

    assert_refused(response, code="malformed_body", says="must be a JSON object")
    assert response.json()["error"].endswith(f"not {kind}.")


def test_an_unsupported_content_type_is_415_naming_it(api_client, db):
    response = api_client.post(URL, '{"slug": "x"}', content_type="text/plain; charset=utf-8")

    assert_refused(response, status=415, code="unsupported_media_type", says="'text/plain'")
    assert "send application/json" in response.json()["error"]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_get_405_in_json(api_client, db, method):
    response = getattr(api_client, method)(URL)

    assert_refused(response, status=405, code="method_not_allowed")
    assert "POST" in response["Allow"]


def test_an_oversized_body_is_413_in_json(api_client, shop_a, settings):
    body = contract_body(shop_a, issue="x" * (settings.API_MAX_BODY_BYTES + 10))

    response = post(api_client, body)

    assert_refused(response, status=413, code="payload_too_large")


def test_an_unexpected_failure_is_500_in_json_with_nothing_written(api_client, shop_a):
    # Fails after the seat is taken, inside the transaction: the seat must come back.
    with mock.patch("booking.services.outbox.insert", side_effect=RuntimeError("disk on fire")):
        response = post(api_client, contract_body(shop_a))

    assert response.status_code == 500
    assert response.json() == {"error": "Server error", "code": "server_error"}
    assert not Booking.objects.exists()
    assert not SeatCounter.objects.filter(booked__gt=0).exists()


def test_a_failure_while_building_the_response_writes_nothing(api_client, shop_a):
    # After booking_create returns, the booking must not be committed before the body exists:
    # otherwise the partner gets a 500 ("nothing was written, retry") for a booking that exists.
    with mock.patch("booking.api.booking_response", side_effect=RuntimeError("bug")):
        response = post(api_client, contract_body(shop_a))

    assert response.status_code == 500
    assert response.json() == {"error": "Server error", "code": "server_error"}
    assert not Booking.objects.exists()
    assert not SeatCounter.objects.filter(booked__gt=0).exists()


def test_a_500_writes_no_e_mail_and_gives_the_booking_quota_back(
    api_client, shop_a, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BOOKINGS_PER_HOUR = 1
    with django_capture_on_commit_callbacks() as callbacks:
        with mock.patch("booking.api.booking_response", side_effect=RuntimeError("bug")):
            assert post(api_client, contract_body(shop_a)).status_code == 500

    assert callbacks == []
    assert not Notification.objects.exists()
    assert post(api_client, contract_body(shop_a)).status_code == 201


@pytest.mark.parametrize("debug", [False, True])
def test_a_500_is_the_same_json_with_debug_on(api_client, shop_a, settings, debug):
    settings.DEBUG = debug
    with mock.patch("booking.services.outbox.insert", side_effect=RuntimeError("disk on fire")):
        response = post(api_client, contract_body(shop_a))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Server error", "code": "server_error"}


def test_an_unknown_api_path_is_404_in_json(api_client, db):
    response = api_client.post("/api/booking/books", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found.", "code": "not_found"}


# --- Cost: the same number of queries however many bookings exist -------------------------

# No read of the shop (the process's copy of its facts, booking/facts.py), then one transaction
# (a savepoint and its release inside the test's own): the seat (one guarded UPDATE that also
# checks the copy is current), and the booking with its e-mail rows and their task (one
# INSERT on PostgreSQL, three on SQLite).
# bench/tests/test_roundtrips.py counts the same with BEGIN, COMMIT and the cache.
QUERIES_PER_BOOKING = 3 + (1 if connection.vendor == "postgresql" else 3)


@pytest.mark.parametrize("existing", [10, 10_000])
def test_a_booking_costs_a_fixed_number_of_queries(
    api_client, shop_a, existing, django_assert_num_queries
):
    day = next_working_day(shop_a, days_ahead=3)
    Booking.objects.bulk_create(
        BookingFactory.build(shop=shop_a, scheduled_date=day + dt.timedelta(days=n % 20))
        for n in range(existing)
    )
    # The day's first booking made its seat counters; this one takes a seat in one UPDATE.
    assert post(api_client, contract_body(shop_a, scheduled_date=str(day))).status_code == 201
    body = contract_body(shop_a, scheduled_date=str(day), time_slot="PM")

    with django_assert_num_queries(QUERIES_PER_BOOKING):
        response = post(api_client, body)

    assert response.status_code == 201


def test_a_booking_whose_first_choice_is_full_still_takes_its_seat_in_one_update(
    api_client, shop_a, django_assert_num_queries
):
    day = next_working_day(shop_a, days_ahead=3)
    assert post(api_client, contract_body(shop_a, scheduled_date=str(day))).status_code == 201
    SeatCounter.objects.filter(shop=shop_a, date=day, start_time=dt.time(8)).update(booked=2)

    with django_assert_num_queries(QUERIES_PER_BOOKING):
        response = post(api_client, contract_body(shop_a, scheduled_date=str(day)))

    assert response.json()["scheduled_time"] == "09:00:00"
    assert seats_taken(shop_a, day, "08:00") == 2


def test_the_first_booking_of_a_day_makes_its_counters_and_books_all_the_same(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)

    response = post(api_client, contract_body(shop_a, scheduled_date=str(day)))

    assert response.status_code == 201
    assert SeatCounter.objects.filter(shop=shop_a, date=day, booked=1).count() == 1
    assert SeatCounter.objects.filter(shop=shop_a, date=day).count() == 9


def test_a_start_time_the_owner_adds_is_offered_first_on_a_day_with_bookings(api_client, shop_a):
    day = next_working_day(shop_a, days_ahead=3)
    assert post(api_client, contract_body(shop_a, scheduled_date=str(day))).status_code == 201
    settings = shop_a.booking_settings
    settings.first_start = dt.time(7)
    settings.save()

    response = post(api_client, contract_body(shop_a, scheduled_date=str(day)))

    # 7:00 has no seat counter yet on that day; 8:00 has one with a seat left.
    assert response.json()["scheduled_time"] == "07:00:00"


def test_the_201_names_the_technician_assigned_by_first_name(api_client, shop_a):
    hire(shop_a, "Mike O'Brien", skills=["Refrigerator"])
    hire(shop_a, "Ann Lee", skills=["Washer"])

    data = post(api_client, contract_body(shop_a)).json()

    assert data["technician"] == "Mike"
    assert Booking.objects.get(pk=data["booking_id"]).technician.name == "Mike O'Brien"


def test_an_unassigned_booking_answers_without_a_technician(api_client, shop_a, account_a):
    hire(shop_a, "Mike O'Brien", hours=("13:00", "17:00"))
    account, key = account_a
    account.allowed_fields = ["allow_overbook"]
    account.may_overbook = True
    account.save()

    body = contract_body(shop_a, time_slot="09:00", allow_overbook=True)
    data = post(api_client, body, key=key).json()

    assert data["scheduled_time"] == "09:00:00" and "technician" not in data
    assert Booking.objects.get(pk=data["booking_id"]).overbooked
