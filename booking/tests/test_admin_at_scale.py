"""The admin at scale (issue 17): a busy shop's week, month, feed and list take a fixed number of
statements and stay small however many bookings the week holds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.admin.paging import LIST_COUNT_CAP
from booking.tests.helpers import MONDAY, many_bookings

pytestmark = pytest.mark.usefixtures("monday_morning")
CALENDAR = "/admin/booking/booking/calendar/"
LIST = "/admin/booking/booking/"
SUNDAY = MONDAY + dt.timedelta(days=6)
BUSY_WEEK = 1000
MAX_BYTES = 300_000

# page: (url, query, statements). The statements are the same at 10 and at 1,000 bookings in the
# week: session, user, memberships and permissions, then the page's own few.
PAGES = {
    "week": (CALENDAR, {"view": "week", "date": MONDAY.isoformat()}, 14),
    "month": (CALENDAR, {"view": "month", "date": MONDAY.isoformat()}, 14),
    "feed": (f"{CALENDAR}feed/", {"start": MONDAY.isoformat(), "end": SUNDAY.isoformat()}, 6),
    "list": (LIST, {}, 15),
}


def shown(page: str, response) -> int:
    """How many bookings `page` lists in `response`."""
    if page == "week":
        return len(re.findall(r'<div class="cal-card[ "]', response.content.decode()))
    if page == "month":
        return sum(len(day.bookings) + day.more for day in response.context["cal"].days)
    if page == "feed":
        return len(response.json()["bookings"])
    return len(response.context["cl"].result_list)


@pytest.mark.parametrize("page", PAGES)
def test_a_busy_week_takes_the_same_statements_as_a_quiet_one_and_stays_small(
    client, alice, shop_a, django_assert_num_queries, page
):
    url, query, statements = PAGES[page]
    client.force_login(alice)
    many_bookings(shop_a, MONDAY, 10)
    client.get(url, query)  # the session's first use writes it

    with django_assert_num_queries(statements):
        quiet = client.get(url, query)
    many_bookings(shop_a, MONDAY, BUSY_WEEK - 10)
    with django_assert_num_queries(statements):
        busy = client.get(url, query)

    assert quiet.status_code == busy.status_code == 200
    assert len(busy.content) < MAX_BYTES, f"{page}: {len(busy.content):,} bytes"
    expected = 100 if page == "list" else BUSY_WEEK  # the list's page
    assert (shown(page, quiet), shown(page, busy)) == (10, expected)


def test_a_busy_months_days_list_a_few_and_link_to_the_rest(client, alice, shop_a):
    many_bookings(shop_a, MONDAY, BUSY_WEEK)
    client.force_login(alice)

    response = client.get(CALENDAR, {"view": "month", "date": MONDAY.isoformat()})

    monday = next(day for day in response.context["cal"].days if day.date == MONDAY)
    assert (len(monday.bookings), monday.more) == (6, BUSY_WEEK // 5 - 6)
    assert [b.scheduled_time for b in monday.bookings] == sorted(
        b.scheduled_time for b in monday.bookings
    )
    html = response.content.decode()
    assert f"+{BUSY_WEEK // 5 - 6} more</a>" in html
    assert f'href="{monday.url.replace("&", "&amp;")}">+194 more' in html


def test_the_lists_filters_and_count_read_a_bounded_slice_of_the_shops_bookings(
    client, alice, shop_a
):
    many_bookings(shop_a, MONDAY, 10)
    many_bookings(shop_a, MONDAY + dt.timedelta(weeks=60), 1)  # the list spans two years
    client.force_login(alice)
    client.get(LIST)

    with CaptureQueriesContext(connection) as statements:
        response = client.get(LIST)

    on_bookings = [q["sql"] for q in statements.captured_queries if "booking_booking" in q["sql"]]
    distinct = [sql for sql in on_bookings if "DISTINCT" in sql]
    assert distinct and all("BETWEEN" in sql for sql in distinct), distinct
    [count] = [sql for sql in on_bookings if "COUNT(" in sql]
    assert f"LIMIT {LIST_COUNT_CAP + 1}" in count
    # The date drill-down still offers the years, from the list's first and last booking.
    html = response.content.decode()
    assert "?scheduled_date__year=2026" in html and "?scheduled_date__year=2028" in html


def test_a_list_past_the_count_cap_says_more_than(client, alice, shop_a):
    many_bookings(shop_a, MONDAY, 30)
    client.force_login(alice)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("booking.admin.paging.CappedCountPaginator.cap", 20)
        response = client.get(LIST)

    html = response.content.decode()
    assert "More than 20 bookings" in html
    assert "Select every one of the more than 20 bookings" in html and "Select all 21" not in html
    assert len(response.context["cl"].result_list) == 30  # one page: all of them
