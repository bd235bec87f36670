"""Bookings by source: the admin's report and its CSV, the portal's, and the numbers in them.

The clock is Monday 7 December 2026, 06:00 at shop A (Los Angeles). Known bookings, made in
the weeks of 16 Nov, 30 Nov and 7 Dec (and one 10 weeks back, outside the default range):

- week of 30 Nov: two from the booking page's Yelp link (one cancelled since); one from Acme
  asking 08:00 when 08:00 was full (landed at 09:00: another time); one from the booking page
  made Sunday 6 Dec 23:30 at the shop (Monday in UTC: still the shop's week of 30 Nov).
- week of 7 Dec: two from Acme (one completed since); one from the other partner asking AM
  when every AM start was full (landed PM); Acme's test booking (never counted).
- week of 16 Nov: one from the web page without a tag.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking
from booking.services import booking_cancel, booking_set_status
from booking.source_report import source_report
from booking.tests.helpers import (
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    at_shop,
    book,
    contract_body,
    fill_starts,
    form_data,
    page_url,
    post_booking,
)
from schedulerAccounts.tests.helpers import issue_test_key, portal_login

pytestmark = pytest.mark.usefixtures("monday_morning")

ADMIN = "/admin/booking/booking/sources/"
ADMIN_CSV = "/admin/booking/booking/sources.csv"
PORTAL = "/scheduler/report"
WEEK_30_NOV = dt.date(2026, 11, 30)
FRIDAY = MONDAY + dt.timedelta(days=4)


def made_at(booking_id, moment: dt.datetime) -> None:
    Booking.objects.filter(pk=booking_id).update(created_at=moment)


def via_page(client, shop, query: str, **fields) -> Booking:
    """The booking page's booking (the clock is frozen: every created_at is the same)."""
    before = list(Booking.objects.values_list("pk", flat=True))
    response = client.post(page_url(shop, query), form_data(shop, **fields))
    assert response.status_code == 302
    return Booking.objects.exclude(pk__in=before).get()


def via_api(api_client, shop, key, **fields) -> str:
    response = post_booking(api_client, contract_body(shop, **fields), key=key)
    assert response.status_code == 201, response.json()
    return response.json()["booking_id"]


@pytest.fixture
def known(client, api_client, shop_a, shop_b, account_a, account_a2, account_b):
    """The bookings the module docstring lists, and shop B's one (never A's business)."""
    last_week = at_shop(shop_a, dt.date(2026, 12, 2), 10)
    yelp = [via_page(client, shop_a, "?source=yelp", name=f"Yelp {n}") for n in (1, 2)]
    booking_cancel(booking=yelp[1])
    fill_starts(shop_a, WEDNESDAY, hours=[8])
    acme_moved = via_api(
        api_client, shop_a, account_a[1], scheduled_date=WEDNESDAY.isoformat(), time_slot="08:00"
    )
    sunday_night = via_page(client, shop_a, "?source=yelp", name="Late Night")
    for booking_id in [*(b.pk for b in yelp), acme_moved]:
        made_at(booking_id, last_week)
    made_at(sunday_night.pk, at_shop(shop_a, dt.date(2026, 12, 6), 23, 30))

    acme = [via_api(api_client, shop_a, account_a[1], name=f"Acme {n}") for n in (1, 2)]
    booking_set_status(booking=Booking.objects.get(pk=acme[0]), status="completed")
    fill_starts(shop_a, FRIDAY, hours=range(8, 12))
    via_api(api_client, shop_a, account_a2[1], scheduled_date=FRIDAY.isoformat())
    via_api(api_client, shop_a, issue_test_key(account_a[0]), name="Tess Rehearsal")

    web = via_page(client, shop_a, "")
    made_at(web.pk, at_shop(shop_a, dt.date(2026, 11, 18), 9))
    old = book(shop_a, TUESDAY, source="web", name="Long Ago")
    made_at(old.pk, at_shop(shop_a, MONDAY - dt.timedelta(weeks=10), 9))
    book(shop_b, TUESDAY, source="bestsource", name="Bea Other")


def default_report(shop):
    first = MONDAY - dt.timedelta(weeks=7)
    return source_report(
        Booking.objects.live().filter(shop=shop), tz=shop.tz, first=first, last=MONDAY
    )


def test_the_report_counts_the_known_bookings_week_by_week(shop_a, known):
    report = default_report(shop_a)

    assert report.weeks[0] == dt.date(2026, 10, 19) and report.weeks[-1] == MONDAY
    lines = {line.name: line for line in report.by_source}
    this_week, last_week, week_16_nov = 7, 6, 4
    assert set(lines) == {"yelp", "acme", "other", "web"}
    assert lines["yelp"].weeks[last_week].booked == 3
    assert lines["yelp"].weeks[last_week].cancelled == 1
    assert lines["acme"].weeks[last_week].booked == 1
    assert lines["acme"].weeks[last_week].elsewhere == 1
    assert lines["acme"].weeks[this_week].booked == 2
    assert lines["acme"].weeks[this_week].completed == 1
    assert lines["acme"].weeks[this_week].elsewhere == 0
    assert lines["other"].weeks[this_week].booked == 1
    assert lines["other"].weeks[this_week].elsewhere == 1
    assert lines["web"].weeks[week_16_nov].booked == 1
    assert lines["web"].total.booked == 1  # the booking ten weeks back is outside the range
    assert report.total.total.booked == 8
    # Each source its own colour in the stacked bars.
    assert len({line.colour for line in report.by_source}) == 4


def test_landed_at_another_time_agrees_with_each_booking_s_own_word(shop_a, known):
    report = default_report(shop_a)
    in_range = Booking.objects.live().filter(
        shop=shop_a, created_at__gte=at_shop(shop_a, dt.date(2026, 10, 19), 0)
    )

    assert report.total.total.elsewhere == sum(b.reassigned for b in in_range) == 2


def test_the_accounts_table_names_each_partner_and_the_rest(shop_a, known):
    report = default_report(shop_a)

    totals = {line.name: line.total.booked for line in report.by_account}
    assert totals == {"Acme Warranty": 3, "Other Partner": 1, "no scheduler account": 4}


def test_it_counts_in_one_query_for_eight_weeks_or_fifty(shop_a, known):
    with CaptureQueriesContext(connection) as eight:
        source_report(
            Booking.objects.live(), tz=shop_a.tz, first=MONDAY - dt.timedelta(weeks=7), last=MONDAY
        )
    with CaptureQueriesContext(connection) as fifty:
        source_report(
            Booking.objects.live(), tz=shop_a.tz, first=MONDAY - dt.timedelta(weeks=49), last=MONDAY
        )

    assert len(eight) == len(fifty) == 1


# --- The admin page ------------------------------------------------------------------------


def test_bob_the_dispatcher_sees_the_report_with_its_chart(client, bob, known):
    client.force_login(bob)

    response = client.get(ADMIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "<svg" in html and html.count("<rect") == 5
    )  # 16 Nov: web; 30 Nov: yelp, acme; 7 Dec: acme, other
    assert "yelp, week of Nov 30: 3 booked" in html
    assert "Acme Warranty" in html and "Other Partner" in html
    assert "Tess Rehearsal" not in html and "bestsource" not in html


def test_a_range_of_weeks_is_shown_and_a_backwards_one_is_refused(client, alice, known):
    client.force_login(alice)

    two_weeks = client.get(ADMIN, {"start": "2026-11-30", "end": "2026-12-07"})
    backwards = client.get(ADMIN, {"start": "2026-12-07", "end": "2026-11-01"})

    assert two_weeks.context["report"].weeks == [WEEK_30_NOV, MONDAY]
    assert "The first week must come before the last." in backwards.content.decode()
    assert len(backwards.context["report"].weeks) == 8


def test_the_csv_has_a_row_per_week_and_line(client, alice, known):
    client.force_login(alice)

    response = client.get(ADMIN_CSV, {"start": "2026-11-30", "end": "2026-12-07"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "week",
        "by",
        "name",
        "booked",
        "cancelled",
        "completed",
        "landed at another time",
    ]
    assert ["2026-11-30", "source", "yelp", "3", "1", "0", "0"] in rows
    assert ["2026-11-30", "source", "acme", "1", "0", "0", "1"] in rows
    assert ["2026-12-07", "source", "acme", "2", "0", "1", "0"] in rows
    assert ["2026-12-07", "scheduler account", "Other Partner", "1", "0", "0", "1"] in rows
    # Two weeks of three sources (web's booking is older) and three accounts, the rest too.
    assert len(rows) == 1 + 2 * (3 + 3)
    assert not any("bestsource" in cell for row in rows for cell in row)


def test_charlie_sees_nothing_of_shop_a(client, charlie, shop_a, known):
    client.force_login(charlie)

    own = client.get(ADMIN).content.decode()
    theirs = client.get(ADMIN, {"shop": shop_a.pk})
    theirs_csv = client.get(ADMIN_CSV, {"shop": shop_a.pk})

    assert "bestsource" in own and "yelp" not in own and "Acme" not in own
    assert theirs.status_code == 404 and theirs_csv.status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client, known):
    assert client.get(ADMIN).status_code == 302
    assert client.get(ADMIN_CSV).status_code == 302


# --- The portal ----------------------------------------------------------------------------


def test_a_partner_sees_only_its_own_figures(client, account_a, account_a2, known):
    client.force_login(portal_login(account_a[0]))

    response = client.get(PORTAL)

    report = response.context["report"]
    assert [line.name for line in report.by_source] == ["acme"]
    assert report.total.total.booked == 3
    html = response.content.decode()
    assert "yelp" not in html and "Other Partner" not in html and "Tess Rehearsal" not in html

    client.force_login(portal_login(account_a2[0]))
    other = client.get(PORTAL).context["report"]
    assert [line.name for line in other.by_source] == ["other"]
    assert other.total.total.elsewhere == 1


def test_the_portal_report_needs_a_portal_login(client, alice, known):
    client.force_login(alice)

    assert client.get(PORTAL).status_code == 302


# --- The booking page's ?source= ---------------------------------------------------------


@pytest.mark.parametrize(
    "query, stored",
    [
        ("?source=yelp", "yelp"),
        ("?source=Yelp%20Ads", "yelp-ads"),
        ("?source=%3DHYPERLINK(%22http%3A%2F%2Fx%22)", "hyperlinkhttpx"),
        ("?source=%3Cscript%3E", "script"),
        ("?source=" + "g" * 80, "g" * 40),
        ("?source=%E2%80%AE%E2%80%AE", "web"),
        ("", "web"),
    ],
)
def test_the_booking_page_keeps_a_safe_source_tag(client, shop_a, query, stored):
    assert via_page(client, shop_a, query).source == stored
