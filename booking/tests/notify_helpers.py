"""Shared steps for the notification tests: book through the service, run the real worker."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.management import call_command
from django.db import connection

from booking import slots
from booking.services import Customer, Job, booking_create
from conftest import next_working_day


def book(shop, *, email="jane@example.com", day: dt.date | None = None, time="09:00", **job):
    """A booking through the one write path, as every door makes it."""
    return booking_create(
        shop=shop,
        customer=Customer(
            name="Jane Smith",
            phone="+16615550199",
            address="123 Main St, Lancaster CA 93534",
            email=email,
        ),
        job=Job(appliance_type="Refrigerator", issue="Not cooling.", **job),
        slot_request=slots.SlotRequest(
            date=day or next_working_day(shop, days_ahead=3),
            time=dt.time.fromisoformat(time),
        ),
        source="ahs",
        channel="api",
    )


def run_worker() -> None:
    """The real database worker: run every task that is due, then exit."""
    args = ["db_worker", "--batch", "--no-reload", "--no-startup-delay"]
    if connection.in_atomic_block:
        # Inside a test's wrapping transaction the worker's connection housekeeping would close
        # the connection and lose the test's rows; transactional tests run it unpatched.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command(*args, verbosity=0)
    else:
        call_command(*args, verbosity=0)
