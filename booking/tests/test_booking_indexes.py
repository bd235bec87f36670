"""Every index on a table is work on every INSERT into it (issue 17): a booking enters only the
indexes its lookups need, and the ones kept for bookings with a technician, a scheduler account
or a portal agent hold only those, yet still answer a lookup by one."""

from __future__ import annotations

import pytest
from django.db import connection

from booking.models import Booking, Notification
from booking.tests.helpers import book, contract_body, post_booking
from technicians.tests.helpers import ann_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def indexes_entered(model, pk) -> list[str]:
    """The indexes on `model`'s table that hold the row `pk`: all but the partial ones whose
    condition it fails."""
    table = model._meta.db_table
    entered = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_expr(indpred, indrelid) FROM pg_index"
            " WHERE indrelid = %s::regclass",
            [table],
        )
        for name, condition in cursor.fetchall():
            if condition:
                cursor.execute(
                    f"SELECT EXISTS (SELECT FROM {table} WHERE id = %s AND {condition})", [pk]
                )
                if not cursor.fetchone()[0]:
                    continue
            entered.append(name)
    return sorted(entered)


def test_a_public_booking_enters_its_key_and_the_shops_four_lookups(api_client, shop_a):
    response = post_booking(api_client, {**contract_body(shop_a), "work_order_number": ""})

    assert response.status_code == 201, response.content
    booking = Booking.objects.get()
    assert indexes_entered(Booking, booking.pk) == sorted(
        [
            "booking_booking_pkey",
            "booking_boo_shop_id_51ed9f_idx",  # the calendar: shop, date, time
            "booking_boo_shop_id_3e0c38_idx",  # the bookings list: shop, newest first
            "booking_same_phone",
            "booking_same_address",
            "booking_source_in_time_order",
        ]
    )
    notification = Notification.objects.filter(booking=booking).first()
    assert indexes_entered(Notification, notification.pk) == sorted(
        [
            "booking_notification_pkey",
            "booking_notification_booking_id_14206a92",
            "booking_not_status_8cbb0f_idx",  # the sweep for e-mails that were never sent
        ]
    )


def test_a_partners_work_order_also_enters_the_one_open_booking_per_order_index(api_client, shop_a):
    response = post_booking(api_client, {**contract_body(shop_a), "work_order_number": "WO-7"})

    assert response.status_code == 201, response.content
    assert "one_open_booking_per_work_order" in indexes_entered(Booking, Booking.objects.get().pk)


def test_a_technicians_jobs_are_found_by_index_though_most_bookings_have_none(shop_a):
    ann = ann_of(shop_a)
    assigned = book(shop_a, technician=ann)
    book(shop_a, time="13:00")

    assert "booking_technician" in indexes_entered(Booking, assigned.pk)
    with connection.cursor() as cursor:
        # On a table this small the planner would read it whole; what is asked is whether the
        # partial index can answer a lookup by one technician at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for field, value in (("technician", ann.pk), ("account", 1), ("agent", 1)):
            plan = Booking.objects.filter(**{field: value}).explain()
            assert f"booking_{field}" in plan, plan
