"""The bookings list's pages: a count that stops at LIST_COUNT_CAP.

Django counts every row the list's filters match to number its pages. At a busy shop the list's
default ("from today") matches tens of thousands of bookings, and that COUNT read them all on
every page view. Counting stops one past the cap instead; the list then says "more than" and
offers the first pages, and a filter or a search narrows it to what a dispatcher can read.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

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
