"""The bookings list at a busy shop: a count that stops at LIST_COUNT_CAP, and a date
drill-down that reads the ends of the list, not every row of it.

Django counts every row the list's filters match to number its pages. At a busy shop the list's
default ("from today") matches tens of thousands of bookings, and that COUNT read them all on
every page view. Counting stops one past the cap instead; the list then says "more than" and
offers the first pages, and a filter or a search narrows it to what a dispatcher can read.

Django's date drill-down lists the years (or a year's months) that have bookings with a
SELECT DISTINCT over every row the list matches. Here they are the years and months between the
first and the last booking (MIN and MAX, two ends of an index); a month's days stay Django's,
since a month is a bounded slice.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.utils.functional import cached_property

from booking.models import BookingQuerySet

LIST_COUNT_CAP = 2000


class CappedCountPaginator(Paginator):
    cap = LIST_COUNT_CAP

    @cached_property
    def count(self) -> int:
        # SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1): reads at most cap + 1 index entries.
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class SpanDatesQuerySet(BookingQuerySet):
    """The list's bookings, whose dates() for years and months come from MIN and MAX."""

    def dates(self, field_name, kind, order="ASC"):
        if kind not in ("year", "month"):
            return super().dates(field_name, kind, order)
        span = self.aggregate(first=Min(field_name), last=Max(field_name))
        first, last = span["first"], span["last"]
        if first is None:
            return []
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        found = sorted({dt.date(n // 12, n % 12 + 1 if kind == "month" else 1, 1) for n in months})
        return found if order == "ASC" else found[::-1]


class BookingChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        found = super().get_queryset(request, exclude_parameters)
        # The same query; its clones keep the class, so the drill-down's dates() is ours.
        return SpanDatesQuerySet(model=found.model, query=found.query, using=found._db)
