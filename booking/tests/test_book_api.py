from __future__ import annotations

import pytest

from booking.models import Booking, SlotCounter
from conftest import next_working_day

URL = "/api/booking/book"


def contract_body(shop, **overrides):
    """The contract's cURL body, with a date of ours."""
    body = {
        "slug": shop.slug,
        "name": "Jane Smith",
        "phone": "+15551234567",
        "email": "jane@example.com",
        "address": "123 Main St, Lancaster CA 93534",
        "appliance_type": "Refrigerator",
        "issue": "Not cooling.",
        "scheduled_date": next_working_day(shop, days_ahead=3).isoformat(),
        "time_slot": "AM",
        "source": "ahs",
    }
    body.update(overrides)
    return body


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
    SlotCounter.objects.bulk_create(
        SlotCounter(shop=shop_a, date=day, start_time=f"{h:02d}:00", booked=2) for h in range(8, 12)
    )

    response = api_client.post(
        URL, contract_body(shop_a, scheduled_date=day.isoformat()), format="json"
    )

    assert response.status_code == 201
    assert response.json()["scheduled_time"] == "12:00:00"
    assert response.json()["reassigned"] is True
