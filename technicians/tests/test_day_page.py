"""The technician's day page: reached by the signed link, made for a phone, On my way and Done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from booking.models import Booking, Notification, Occupancy
from booking.tests.helpers import (
    MONDAY,
    TUESDAY,
    at_shop,
    book,
    contract_body,
    post_booking,
    run_worker,
    seats_taken,
)
from schedulerAccounts.tests.helpers import issue_test_key
from technicians.links import day_path, day_token, feed_url, subscribe_url
from technicians.services import technician_reissue_links
from technicians.tests.helpers import ann_of, hire, job_path

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def ann(shop_a):
    return ann_of(shop_a)


def test_the_signed_link_shows_the_days_jobs_in_order_with_all_a_visit_needs(client, ann):
    book(
        ann.shop,
        MONDAY,
        dt.time(13),
        technician=ann,
        work_order_number="WO-1",
        claim_number="CL-2",
        authorization_number="AU-3",
    )
    book(ann.shop, MONDAY, dt.time(9), technician=ann, name="Tom Early", phone="+16615550142")

    response = client.get(day_path(ann))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Today, Monday, December 7" in html
    assert html.index("Tom Early") < html.index("Jane Smith"), "in order of start"
    # From the start for the job's length, on the shop's clock (a refrigerator takes 90 minutes).
    assert "9:00 AM&ndash;10:30 AM" in html and "1:00 PM&ndash;2:30 PM" in html
    assert 'href="tel:+16615550142"' in html
    assert "https://www.google.com/maps/search/?api=1&amp;query=123%20Main%20St%2C" in html
    for text in ("WO-1", "CL-2", "AU-3", "Refrigerator", "Not cooling."):
        assert text in html
    assert html.count(">On my way</button>") == 2
    assert html.count(">Done</button>") == 2
    assert html.count('name="csrfmiddlewaretoken"') == 4, "plain forms, no JavaScript needed"
    assert response["Cache-Control"].startswith("max-age=0")
    assert f'href="{subscribe_url(ann)}"' in html, "the feed, one tap to subscribe"
    assert subscribe_url(ann).startswith("webcal://")


def test_it_shows_only_the_technicians_own_jobs(client, ann):
    mike = hire(ann.shop, "Mike Ross")
    book(ann.shop, MONDAY, dt.time(9), technician=mike, name="Mikes Customer")
    book(ann.shop, MONDAY, dt.time(9), technician=ann)

    html = client.get(day_path(ann)).content.decode()

    assert "Jane Smith" in html
    assert "Mikes Customer" not in html


def test_the_previous_and_next_day_are_a_tap_away(client, ann):
    book(ann.shop, TUESDAY, dt.time(10), technician=ann, name="Tuesday Customer")

    monday = client.get(day_path(ann)).content.decode()
    tuesday = client.get(day_path(ann, TUESDAY))

    assert day_path(ann, MONDAY - dt.timedelta(days=1)) in monday
    assert day_path(ann, TUESDAY) in monday
    assert "No jobs on this day." in monday
    assert tuesday.status_code == 200
    assert "Tuesday Customer" in tuesday.content.decode()
    assert day_path(ann) in tuesday.content.decode(), "and back to today"


@pytest.mark.parametrize(
    "altered",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(token.partition(".")[0], "999", 1),
        lambda token: token.partition(":")[0],
        lambda token: "nonsense",
    ],
    ids=["signature", "technician id", "unsigned", "made up"],
)
def test_an_altered_link_shows_nothing(client, ann, altered):
    book(ann.shop, MONDAY, dt.time(9), technician=ann)

    response = client.get(f"/t/{altered(day_token(ann))}/")

    assert response.status_code == 404
    assert "Jane Smith" not in response.content.decode()
    assert "This link does not work" in response.content.decode()


def test_a_link_the_owner_reissued_stops_working_and_the_new_one_works(client, ann):
    book(ann.shop, MONDAY, dt.time(9), technician=ann)
    old_day, old_feed = day_path(ann), feed_url(ann)
    old_done = job_path(ann, Booking.objects.get(), "done")

    technician_reissue_links(technician=ann)

    assert client.get(old_day).status_code == 404
    assert client.get(old_feed).status_code == 404
    assert client.post(old_done).status_code == 404
    assert Booking.objects.get().holds_seat
    assert "Jane Smith" in client.get(day_path(ann)).content.decode()


def test_a_technicians_link_cannot_reach_another_shops_job(client, ann, shop_b):
    theirs = hire(shop_b, "Zed Other")
    job = book(shop_b, TUESDAY, dt.time(9), technician=theirs, name="Shop B Customer")

    on_my_way = client.post(job_path(ann, job, "on-my-way"))
    done = client.post(job_path(ann, job, "done"))
    page = client.get(day_path(ann, TUESDAY))

    assert on_my_way.status_code == done.status_code == 404
    assert Booking.objects.get(pk=job.pk).status == Booking.Status.SCHEDULED
    assert not Notification.objects.filter(kind=Notification.Kind.ON_MY_WAY).exists()
    assert "Shop B Customer" not in page.content.decode()


def test_another_technicians_job_of_the_same_shop_is_not_found_either(client, ann):
    mike = hire(ann.shop, "Mike Ross")
    job = book(ann.shop, MONDAY, dt.time(9), technician=mike)

    assert client.post(job_path(ann, job, "done")).status_code == 404
    assert Booking.objects.get(pk=job.pk).holds_seat


def test_on_my_way_emails_the_customer(client, ann, django_capture_on_commit_callbacks):
    job = book(ann.shop, MONDAY, dt.time(9), technician=ann)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_path(ann, job, "on-my-way"), follow=True)
    run_worker()

    # The booking's confirmation went out with the same run: the one that says on the way.
    [message] = [m for m in mail.outbox if m.subject.startswith("On the way")]
    assert message.to == ["jane@example.com"]
    assert message.subject == (
        f"On the way: Ann from Done Right Appliance is coming to you now (ref {job.reference})"
    )
    assert "Ann from Done Right Appliance is on the way to you now" in message.body
    html = response.content.decode()
    assert "Jane Smith was e-mailed: you are on the way." in html
    assert "Customer told you are on the way at 6:00 AM." in html


def test_on_my_way_without_a_customer_email_says_to_call(client, ann):
    job = book(ann.shop, MONDAY, dt.time(9), technician=ann, email="")

    response = client.post(job_path(ann, job, "on-my-way"), follow=True)

    assert "Jane Smith gave no e-mail address: call them instead." in response.content.decode()
    assert not Notification.objects.filter(kind=Notification.Kind.ON_MY_WAY).exists()


def test_done_completes_the_job_and_frees_its_seat_and_the_technicians_time(client, ann):
    job = book(ann.shop, MONDAY, dt.time(9), technician=ann)
    assert seats_taken(ann.shop, MONDAY, "09:00") == 1

    response = client.post(job_path(ann, job, "done"), follow=True)

    job.refresh_from_db()
    assert job.status == Booking.Status.COMPLETED
    assert seats_taken(ann.shop, MONDAY, "09:00") == 0
    assert not Occupancy.objects.filter(booking=job).exists()
    html = response.content.decode()
    assert "Done: Jane Smith&#x27;s 9:00 AM job." in html
    assert 'class="td-badge">Done</span>' in html
    assert ">Done</button>" not in html and ">On my way</button>" not in html
    # Ann is free at 9:00 again: another job can go on her there.
    assert book(ann.shop, MONDAY, dt.time(9), technician=ann, name="Next Customer").holds_seat


def test_a_job_of_a_day_still_to_come_is_neither_done_nor_on_the_way_yet(client, ann):
    job = book(ann.shop, TUESDAY, dt.time(9), technician=ann)

    page = client.get(day_path(ann, TUESDAY)).content.decode()
    done = client.post(job_path(ann, job, "done"), follow=True)
    on_my_way = client.post(job_path(ann, job, "on-my-way"), follow=True)

    assert "Jane Smith" in page
    assert ">Done</button>" not in page and ">On my way</button>" not in page
    assert Booking.objects.get(pk=job.pk).holds_seat
    assert "it can be marked done that day" in done.content.decode()
    assert "This job is not today&#x27;s: the customer was not e-mailed." in (
        on_my_way.content.decode()
    )
    assert not Notification.objects.filter(kind=Notification.Kind.ON_MY_WAY).exists()


def test_a_job_left_open_yesterday_can_still_be_marked_done(client, ann, freeze_now):
    job = book(ann.shop, MONDAY, dt.time(9), technician=ann)
    freeze_now(at_shop(ann.shop, TUESDAY, 7))

    page = client.get(day_path(ann, MONDAY)).content.decode()
    client.post(job_path(ann, job, "done"))

    assert ">Done</button>" in page and ">On my way</button>" not in page
    assert Booking.objects.get(pk=job.pk).status == Booking.Status.COMPLETED


def test_the_buttons_need_the_pages_csrf_token(ann):
    job = book(ann.shop, MONDAY, dt.time(9), technician=ann)
    browser = Client(enforce_csrf_checks=True)

    assert browser.post(job_path(ann, job, "done")).status_code == 403
    assert browser.post(job_path(ann, job, "on-my-way")).status_code == 403
    assert Booking.objects.get(pk=job.pk).holds_seat
    assert browser.get(job_path(ann, job, "done")).status_code == 405


def test_a_second_tap_of_on_my_way_soon_after_sends_nothing_more(client, ann, freeze_now):
    job = book(ann.shop, MONDAY, dt.time(9), technician=ann)
    client.post(job_path(ann, job, "on-my-way"))
    freeze_now(at_shop(ann.shop, MONDAY, 6, 5))

    again = client.post(job_path(ann, job, "on-my-way"), follow=True)
    freeze_now(at_shop(ann.shop, MONDAY, 6, 30))
    later = client.post(job_path(ann, job, "on-my-way"), follow=True)

    assert "Jane Smith was told at 6:00 AM already." in again.content.decode()
    assert "Jane Smith was e-mailed: you are on the way." in later.content.decode()
    assert Notification.objects.filter(kind=Notification.Kind.ON_MY_WAY).count() == 2


def test_a_partners_test_booking_is_on_no_technicians_day_feed_or_e_mail(client, ann, account_a):
    test_key = issue_test_key(account_a[0])
    body = contract_body(ann.shop, name="Rehearsal Rita", scheduled_date=TUESDAY.isoformat())
    assert post_booking(APIClient(), body, key=test_key).status_code == 201

    day = client.get(day_path(ann, TUESDAY)).content.decode()
    feed = client.get(feed_url(ann)).content.decode()
    assert "Rehearsal Rita" not in day
    assert "Rehearsal Rita" not in feed
    assert not Notification.objects.filter(technician=ann).exists(), "tomorrow's, yet untold"
