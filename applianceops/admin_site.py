"""The admin site: branded, and opening on today's schedule rather than a list of apps."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse


class ApplianceOpsAdminSite(admin.AdminSite):
    site_header = "ApplianceOps"
    site_title = "ApplianceOps"
    index_title = "Today"
    index_template = "admin/applianceops_index.html"
    # The calendar and the bookings list need the width more than a second menu does; the
    # header links and the index reach every page.
    enable_nav_sidebar = False

    def each_context(self, request):
        # Imported here: the admin site is built before the apps' models are ready.
        from tenants.access import shop_roles

        context = super().each_context(request)
        user = request.user
        # The header's calendar and bookings links would be a 403 for a login of no shop.
        context["works_for_a_shop"] = user.is_active and (
            user.is_superuser or (user.is_staff and bool(shop_roles(request)))
        )
        return context

    def index(self, request, extra_context=None):
        context = {"today_schedule": self.today_schedule(request), **(extra_context or {})}
        return super().index(request, extra_context=context)

    def get_app_list(self, request, app_label=None):
        """Apps that share a name (Settings: the shop's and its scheduler accounts) as one."""
        merged: dict[str, dict] = {}
        for app in super().get_app_list(request, app_label):
            if app["name"] in merged:
                models = merged[app["name"]]["models"]
                models.extend(app["models"])
                models.sort(key=lambda model: model["name"].lower())
            else:
                merged[app["name"]] = app
        return list(merged.values())

    def today_schedule(self, request) -> dict | None:
        """Today's bookings at the first of the user's shops, on the shop's own clock."""
        # Imported here: the admin site is built before the apps' models are ready.
        from booking.admin.calendar_data import bookings_between
        from booking.admin.source_colours import source_colour
        from booking.models import Booking
        from tenants.access import shops_for

        shop = shops_for(request.user).select_related("booking_settings").order_by("name").first()
        if shop is None:
            return None
        today = shop.today()
        bookings = list(
            bookings_between(Booking.objects.all(), shop, today, today).exclude(
                status=Booking.Status.CANCELLED
            )
        )
        for booking in bookings:
            booking.colour = source_colour(booking.source)
        return {"shop": shop, "date": today, "bookings": bookings}

    def forbidden(self, request) -> TemplateResponse:
        """A refused admin page in the admin's look: what it is for, and the way back."""
        # Imported here: the admin site is built before the apps' models are ready.
        from tenants.access import DISPATCHER, OWNER, shop_roles

        model_admin = self._model_admin_of(request.path_info)
        roles = getattr(model_admin, "shop_roles", frozenset())
        for_owners = OWNER in roles and DISPATCHER not in roles and bool(shop_roles(request))
        context = {
            **self.each_context(request),
            "title": "For the shop's owners" if for_owners else "Not for your login",
            "subtitle": None,
            "for_owners": for_owners,
            "page_name": model_admin.model._meta.verbose_name_plural if model_admin else "",
        }
        return TemplateResponse(request, "admin/forbidden.html", context, status=403)

    def _model_admin_of(self, path: str):
        """The ModelAdmin whose page `path` is (/admin/<app>/<model>/...), or None."""
        prefix = reverse(f"{self.name}:index")
        parts = path[len(prefix) :].split("/") if path.startswith(prefix) else []
        if len(parts) < 2:
            return None
        try:
            model = apps.get_model(parts[0], parts[1])
        except (LookupError, ValueError):
            return None
        return self._registry.get(model)
