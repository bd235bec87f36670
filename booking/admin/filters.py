"""The bookings list's filters: when (on the shop's clock), source, appliance, shop and possible
duplicates."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import zoneinfo

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from booking.admin.shops import scoped_shops
from schedulerAccounts.models import SchedulerAccount
from tenants.models import BookingSettings

# The source and appliance choices read the bookings this many days either side of a date, not
# a DISTINCT over every booking the shop ever had: at 100,000 bookings that was a scan of them all
# on every page view. What the shop names itself (its partners' tags, its appliance types) and
# the value picked come on top, so a choice never vanishes while it is in use.
CHOICES_REACH_DAYS = 45


def values_near(bookings, field_name: str, around: dt.date) -> set[str]:
    """The `field_name` values of `bookings` dated within CHOICES_REACH_DAYS of `around`."""
    reach = dt.timedelta(days=CHOICES_REACH_DAYS)
    return set(
        bookings.filter(scheduled_date__range=(around - reach, around + reach))
        .order_by()
        .values_list(field_name, flat=True)
        .distinct()
    )


def source_names(bookings, shops, around: dt.date) -> set[str]:
    """The sources worth offering: those near `around` and the shops' partner accounts' tags."""
    tags = SchedulerAccount.objects.filter(shop__in=shops).values_list("source_tag", flat=True)
    return values_near(bookings, "source", around) | set(tags)


def appliance_names(bookings, shops, around: dt.date) -> set[str]:
    """The appliances worth offering: those near `around` and the shops' own appliance types."""
    named = BookingSettings.objects.filter(shop__in=shops).values_list("appliance_types", flat=True)
    return values_near(bookings, "appliance_type", around) | {t for types in named for t in types}


def _when(value: str, today: dt.date) -> Q:
    """The dates `value` stands for, as a filter on scheduled_date."""
    if value == "upcoming":
        return Q(scheduled_date__gte=today)
    if value == "past":
        return Q(scheduled_date__lt=today)
    monday = today - dt.timedelta(days=today.weekday())
    first, last = {
        "today": (today, today),
        "tomorrow": (today + dt.timedelta(days=1), today + dt.timedelta(days=1)),
        "this_week": (monday, monday + dt.timedelta(days=6)),
        "next_week": (monday + dt.timedelta(days=7), monday + dt.timedelta(days=13)),
    }[value]
    return Q(scheduled_date__range=(first, last))


class WhenFilter(admin.SimpleListFilter):
    """Today, tomorrow and the weeks as the shop's clock reads them, not the server's.

    The list opens on today and the days after it: what a dispatcher works on. Days gone by are
    one click away ("Before today"), and a search or a drill into the dates looks at every date,
    since a caller's old booking is what the dispatcher is looking for then.
    """

    title = "when"
    parameter_name = "when"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", "From today"),
            ("today", "Today"),
            ("tomorrow", "Tomorrow"),
            ("this_week", "This week"),
            ("next_week", "Next week"),
            ("past", "Before today"),
            (self.ALL, "All dates"),
        ]

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        looking_up = request.GET.get("q", "").strip() or any(
            name.startswith(f"{model_admin.date_hierarchy}__") for name in request.GET
        )
        self.default = self.ALL if looking_up else "upcoming"
        super().__init__(request, params, model, model_admin)

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        # No Django "All" entry: without a choice the list shows the default, not everything.
        for value, title in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value not in dict(self.lookup_choices) or value == self.ALL:
            return queryset
        now = timezone.now()
        shops = scoped_shops(request, self.model_admin).order_by()
        if self.model_admin.allowed_shop_ids(request) is None:
            # Every shop: by time zone, a join, rather than a list of every shop's id.
            zones = shops.values_list("time_zone", flat=True).distinct()
            by_zone = {zone: Q(shop__time_zone=zone) for zone in zones}
        else:
            # A member's few shops by id: no join, so the date drill-down's MIN and MAX are
            # each one step along the (shop, scheduled_date) index, not a scan of the list.
            ids: dict[str, list[int]] = {}
            for shop_id, zone in shops.values_list("pk", "time_zone"):
                ids.setdefault(zone, []).append(shop_id)
            by_zone = {zone: Q(shop_id__in=shop_ids) for zone, shop_ids in ids.items()}
        ranges = [
            shop_q & _when(value, now.astimezone(zoneinfo.ZoneInfo(zone)).date())
            for zone, shop_q in by_zone.items()
        ]
        if not ranges:
            return queryset.none()
        return queryset.filter(functools.reduce(operator.or_, ranges))


class NamedValueFilter(admin.SimpleListFilter):
    """A filter on one text field whose choices `names` gives: two small queries, never a scan."""

    field_name = ""
    empty_label = ""

    def names(self, bookings, shops, around: dt.date) -> set[str]:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        shops = scoped_shops(request, model_admin)
        values = self.names(model_admin.get_queryset(request), shops, timezone.localdate())
        if self.value() is not None:
            values.add("" if self.value() == "-" else self.value())
        return [(value or "-", value or self.empty_label) for value in sorted(values)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(**{self.field_name: "" if value == "-" else value})


class SourceFilter(NamedValueFilter):
    title = "source"
    parameter_name = "source"
    field_name = "source"
    empty_label = "(no source)"

    def names(self, bookings, shops, around):
        return source_names(bookings, shops, around)


class ApplianceFilter(NamedValueFilter):
    title = "appliance"
    parameter_name = "appliance"
    field_name = "appliance_type"
    empty_label = "(none)"

    def names(self, bookings, shops, around):
        return appliance_names(bookings, shops, around)


class ShopFilter(admin.SimpleListFilter):
    title = "shop"
    parameter_name = "shop"

    def lookups(self, request, model_admin):
        return [(str(shop.pk), shop.name) for shop in scoped_shops(request, model_admin)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(shop_id=self.value())


class PossibleDuplicateFilter(admin.SimpleListFilter):
    """Bookings flagged when made: another booking held a seat near them for the same phone or
    address (booking_create sets the flag)."""

    title = "possible duplicate"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Possible duplicates")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(possible_duplicate_of__isnull=False)
