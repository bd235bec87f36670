"""A Python client generated from the served /api/schema works out of the box (issue 18).

As an integrator would: openapi-python-client on the live server's schema, the package
imported as generated, every operation called against the live server, answers parsed into
the generated types, errors included.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from booking.models import Booking
from booking.tests.helpers import contract_body, next_working_day

PACKAGE = "partner_client"
CONFIG = (
    f"project_name_override: partner-client\npackage_name_override: {PACKAGE}\npost_hooks: []\n"
)


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory):
    """The generated package, imported from a folder of its own; forgotten afterwards."""
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "schema.json"
    with urllib.request.urlopen(f"{live_server.url}/api/schema?format=json", timeout=30) as answer:
        schema.write_bytes(answer.read())
    (folder / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            *("--path", str(schema), "--config", str(folder / "config.yaml")),
            *("--meta", "none", "--output-path", str(folder / PACKAGE)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_books_and_gets_the_answer_typed(generated, live_server, shop_a):
    models = module("models")
    booking_create = module("api.bookings.booking_create")
    body = models.BookingRequest.from_dict(contract_body(shop_a, work_order_number="WO-1"))

    answer = booking_create.sync_detailed(
        client=generated.Client(base_url=live_server.url), body=body, idempotency_key="gen-1"
    )

    assert answer.status_code == 201
    created = answer.parsed
    assert isinstance(created, models.BookingCreated)
    assert created.time_slot == models.WindowEnum.AM
    assert created.duplicate is False
    assert Booking.objects.get(pk=created.booking_id).work_order_number == "WO-1"


def test_a_wrong_slug_is_a_typed_error(generated, live_server, shop_a):
    models = module("models")
    booking_create = module("api.bookings.booking_create")
    body = models.BookingRequest.from_dict(contract_body(shop_a, slug="no-such-shop"))

    answer = booking_create.sync_detailed(
        client=generated.Client(base_url=live_server.url), body=body
    )

    assert answer.status_code == 404
    assert isinstance(answer.parsed, models.ApiError)
    assert (answer.parsed.code, answer.parsed.field) == ("not_found", "slug")


def test_every_operation_works_with_a_partner_key(generated, live_server, shop_a, account_a):
    models = module("models")
    api = "api.bookings."
    client = generated.AuthenticatedClient(base_url=live_server.url, token=account_a[1])
    day = next_working_day(shop_a, days_ahead=3)

    availability = module("api.availability.availability_read").sync(
        client=client, slug=shop_a.slug, date=day, days=2
    )
    created = module(api + "booking_create").sync(
        client=client,
        body=models.BookingRequest.from_dict(contract_body(shop_a, work_order_number="WO-2")),
    )
    read = module(api + "booking_read").sync(client=client, booking_id=created.booking_id)
    listed = module(api + "booking_list").sync(client=client, work_order_number="WO-2")
    moved = module(api + "booking_reschedule").sync(
        client=client,
        booking_id=created.booking_id,
        body=models.RescheduleRequest(scheduled_date=day, time_slot="PM"),
        idempotency_key="move-1",
    )
    cancelled = module(api + "booking_cancel").sync(
        client=client,
        booking_id=created.booking_id,
        body=models.CancelRequest(reason="Fixed it himself."),
    )
    again = module(api + "booking_cancel").sync(
        client=client, booking_id=created.booking_id, body=models.CancelRequest()
    )

    assert isinstance(availability, models.Availability)
    assert availability.days[0].date == day
    assert availability.days[0].windows.am.seats_left == 8
    assert isinstance(read, models.PartnerBooking) and read.source == "acme"
    assert [row.booking_id for row in listed.results] == [created.booking_id]
    assert (moved.time_slot, moved.scheduled_time) == (models.WindowEnum.PM, "12:00:00")
    assert cancelled.status == models.PartnerBookingStatusEnum.CANCELLED
    assert isinstance(again, models.ApiError) and again.code == "not_cancellable"
