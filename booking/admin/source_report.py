"""Bookings by source in the admin: the report page and its CSV, for a shop's owners and
dispatchers (the bookings admin's roles). The counting is booking.source_report's."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from booking.admin.csv_export import _cell
from booking.admin.pages import shop_choices
from booking.admin.shops import shop_for_request
from booking.source_report import ReportRangeForm, source_report

CSV_HEADER = [
    "week",
    "by",
    "name",
    "booked",
    "cancelled",
    "completed",
    "landed at another time",
]


class SourceReportPages:
    """Mixin for the bookings' ModelAdmin: /admin/booking/booking/sources/ and its .csv."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("sources/", wrap(self.sources_view), name="booking_booking_sources"),
            path("sources.csv", wrap(self.sources_csv_view), name="booking_booking_sources_csv"),
            *super().get_urls(),
        ]

    def _report(self, request):
        """(shop, range form, report) for this request: the shop's live bookings only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        shop = shop_for_request(request, self)
        form = ReportRangeForm(request.GET or None, today=shop.today())
        first, last = form.weeks()
        bookings = self.get_queryset(request).filter(shop=shop)
        return shop, form, source_report(bookings, tz=shop.tz, first=first, last=last)

    def sources_view(self, request):
        shop, form, report = self._report(request)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{shop.name}: bookings by source",
            "opts": self.model._meta,
            "shop": shop,
            "shops": shop_choices(request, self),
            "form": form,
            "report": report,
            "chart": report.chart(),
            "csv_query": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/booking/booking/source_report.html", context)

    def sources_csv_view(self, request):
        shop, _, report = self._report(request)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for week, kind, name, *numbers in report.csv_rows():
            writer.writerow([week, kind, _cell(name), *numbers])
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        filename = f"bookings-by-source-{shop.slug}-{report.weeks[0]:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
