"""The technician's calendar feed: their jobs, stable UIDs, and a move that calendars pick up."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from booking.models import Booking
from booking.services import booking_assign, booking_cancel, booking_reschedule
from booking.tests.helpers import MONDAY, TUESDAY, at_shop, book
from technicians.links import feed_url
from technicians.tests.helpers import ann_of, hire

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://applianceops.test"


@pytest.fixture
def ann(shop_a):
    return ann_of(shop_a)


def fetch(client, technician) -> list[icalendar.Event]:
    response = client.get(feed_url(technician))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_the_feed_holds_the_technicians_jobs_with_what_the_visit_needs(client, ann):
    job = book(
        ann.shop,
        MONDAY,
        dt.time(9),
        technician=ann,
        duration_minutes=90,
        work_order_number="WO-9",
        phone="+16615550142",
    )
    hire(ann.shop, "Mike Ross")
    book(ann.shop, MONDAY, dt.time(9), name="Not Anns", technician=ann.shop.technicians.last())

    [event] = fetch(client, ann)

    assert str(event["uid"]) == f"job-{job.pk}@applianceops.test"
    assert event.decoded("dtstart") == at_shop(ann.shop, MONDAY, 9)
    assert event.decoded("dtend") == at_shop(ann.shop, MONDAY, 10, 30)
    assert str(event["summary"]) == "Refrigerator: Jane Smith"
    assert str(event["location"]) == job.address
    description = str(event["description"])
    assert "Phone: (661) 555-0142" in description
    assert "WO#: WO-9" in description
    assert "Issue: Not cooling." in description


def test_a_moved_job_keeps_its_uid_with_a_later_sequence_and_the_new_time(client, ann, freeze_now):
    job = book(ann.shop, TUESDAY, dt.time(9), technician=ann)
    [before] = fetch(client, ann)
    freeze_now(at_shop(ann.shop, MONDAY, 7))

    booking_reschedule(booking=job, new_date=TUESDAY, new_time=dt.time(14))
    [after] = fetch(client, ann)

    assert after["uid"] == before["uid"]
    assert after.decoded("dtstart") == at_shop(ann.shop, TUESDAY, 14)
    assert after["sequence"] > before["sequence"]
    assert after.decoded("last-modified") > before.decoded("last-modified")
    assert after.decoded("dtstamp") > before.decoded("dtstamp")


def test_an_unchanged_feed_reads_the_same_at_every_fetch(client, ann, freeze_now):
    book(ann.shop, TUESDAY, dt.time(9), technician=ann)
    first = client.get(feed_url(ann)).content
    freeze_now(at_shop(ann.shop, MONDAY, 8))

    assert client.get(feed_url(ann)).content == first


def test_a_job_cancelled_or_given_to_another_leaves_the_feed(client, ann):
    mike = hire(ann.shop, "Mike Ross")
    cancelled = book(ann.shop, MONDAY, dt.time(9), technician=ann)
    given = book(ann.shop, MONDAY, dt.time(13), technician=ann)
    kept = book(ann.shop, TUESDAY, dt.time(9), technician=ann)

    booking_cancel(booking=cancelled)
    booking_assign(booking=given, technician=mike)

    assert [str(e["uid"]) for e in fetch(client, ann)] == [f"job-{kept.pk}@applianceops.test"]
    assert [str(e["uid"]) for e in fetch(client, mike)] == [f"job-{given.pk}@applianceops.test"]


def test_a_done_job_stays_marked_done(client, ann):
    job = book(ann.shop, MONDAY, dt.time(9), technician=ann)
    Booking.objects.filter(pk=job.pk).update(status=Booking.Status.COMPLETED)

    [event] = fetch(client, ann)

    assert str(event["summary"]) == "Refrigerator: Jane Smith (done)"


def test_the_feed_tells_calendars_its_name_and_how_often_to_look(client, ann):
    response = client.get(feed_url(ann))

    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Done Right Appliance: Ann's jobs"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M" in response.content
