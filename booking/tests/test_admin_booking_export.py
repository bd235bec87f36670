from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from booking.tests.helpers import MONDAY, TUESDAY, at_shop, book, book_warranty_job

URL = "/admin/booking/booking/export/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="bookings-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def bookings(shop_a, shop_b):
    book_warranty_job(shop_a, TUESDAY)
    book(shop_a, TUESDAY, "14:00", name="=HYPERLINK(evil)", source="frontdoor")
    book(shop_b, TUESDAY, "AM", name="Bea Other", source="cinch")


def test_the_export_has_one_row_per_booking_with_every_column(client, alice, bookings):
    client.force_login(alice)

    exported = rows(client.get(URL))

    assert len(exported) == 2
    jane = next(row for row in exported if row["customer"] == "Jane Smith")
    assert jane["date"] == "2026-12-08"
    assert jane["time"] == "08:00"
    assert jane["window"] == "AM"
    assert jane["phone"] == "+16615550123"
    assert jane["appliance"] == "Refrigerator"
    assert jane["source"] == "ahs"
    assert jane["WO#"] == "WO-7781"
    assert jane["claim #"] == "CL-55"
    assert jane["status"] == "Scheduled"
    assert jane["channel"] == "Partner API"
    assert jane["shop"] == "Done Right Appliance"
    assert jane["booked at"] == "2026-12-07 06:00"


def test_a_formula_typed_by_a_customer_is_not_run_by_the_spreadsheet(client, alice, bookings):
    client.force_login(alice)

    names = {row["customer"] for row in rows(client.get(URL))}

    assert "'=HYPERLINK(evil)" in names


def test_the_export_follows_the_lists_filters_and_search(client, bob, bookings):
    client.force_login(bob)

    assert [r["customer"] for r in rows(client.get(URL, {"source": "ahs"}))] == ["Jane Smith"]
    assert [r["customer"] for r in rows(client.get(URL, {"q": "WO-7781"}))] == ["Jane Smith"]


def test_charlie_exports_only_his_shop(client, charlie, bookings):
    client.force_login(charlie)

    assert [r["customer"] for r in rows(client.get(URL))] == ["Bea Other"]


def test_a_superuser_exports_every_shop(client, admin_user, bookings):
    client.force_login(admin_user)

    assert len(rows(client.get(URL))) == 3


def test_signed_out_visitors_get_the_login_page(client, bookings):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_file_opens_in_excel_with_accents_intact(client, bob, shop_a):
    book(shop_a, TUESDAY, "AM", name="José Muñoz")
    client.force_login(bob)

    response = client.get(URL)
    body = b"".join(response.streaming_content)

    # Excel reads a CSV as UTF-8 only when it starts with the byte-order mark.
    assert body.startswith(b"\xef\xbb\xbfreference,date,time")
    assert "José Muñoz" in body.decode("utf-8-sig")


def test_the_file_is_named_for_the_shops_date_not_the_servers(client, bob, shop_a, freeze_now):
    # 21:30 on Monday in Lancaster is already Tuesday in UTC.
    freeze_now(at_shop(shop_a, MONDAY, 21, 30).astimezone(dt.UTC))
    client.force_login(bob)

    response = client.get(URL)

    assert response["Content-Disposition"] == 'attachment; filename="bookings-20261207-2130.csv"'
