"""Settings -> Technicians: owners manage their shop's technicians; dispatchers see them."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from technicians.links import day_url, feed_url
from technicians.models import Technician, TimeOff
from technicians.services import (
    next_colour,
    shop_skills,
    technician_reissue_links,
    technician_set_shifts,
)
from tenants.access import BOOKING_ROLES, OWNER_ONLY, shop_ids_with
from tenants.admin import ShopScopedAdmin
from tenants.models import DEFAULT_APPLIANCE_TYPES, WEEKDAY_NAMES, Shop

LINKS_TITLE = "Day page and calendar feed"
SHIFT_FIELDS = [(f"{day}_start", f"{day}_end") for day in WEEKDAY_NAMES]


class OwnersChange:
    """Dispatchers may look (shop_roles); only the shop's owners add, change and delete."""

    shop_roles = BOOKING_ROLES

    def is_owner_here(self, request, obj=None) -> bool:
        if not self.has_shop_access(request, obj):
            return False
        owned = shop_ids_with(request, OWNER_ONLY)
        if owned is None:
            return True
        return bool(owned) if obj is None else self.shop_id_of(obj) in owned

    def has_change_permission(self, request, obj=None):
        return self.is_owner_here(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.is_owner_here(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.is_owner_here(request, obj)


# The browser's own time and date pickers: no seconds, and none of the admin's clock widget's
# "you are N hours ahead of server time" notes, which are about the server, not the shop.
_CLOCK = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
_CALENDAR = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _week_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for day, (start, end) in zip(WEEKDAY_NAMES, SHIFT_FIELDS, strict=True):
        fields[start] = forms.TimeField(label=f"{day.title()} from", required=False, widget=_CLOCK)
        fields[end] = forms.TimeField(label="until", required=False, widget=_CLOCK)
    return fields


# A start and an end per weekday (both empty: off), declared so the admin's fieldsets find them.
WeekForm = type("WeekForm", (forms.Form,), _week_fields())


class TechnicianForm(WeekForm, forms.ModelForm):
    skills = forms.MultipleChoiceField(
        label="Services",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The appliance types they repair. None ticked: all of them.",
    )

    class Meta:
        model = Technician
        fields = ["shop", "name", "is_active", "colour", "mobile_phone", "email", "skills"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(kind, kind) for kind in self._appliance_types()]
        if self.instance.pk:
            for shift in self.instance.shifts.all():
                start, end = SHIFT_FIELDS[shift.weekday]
                self.initial.setdefault(start, shift.start)
                self.initial.setdefault(end, shift.end)

    def _shop(self) -> Shop | None:
        if self.instance.shop_id:
            return self.instance.shop
        shop_id = str(self.data.get("shop") or self.initial.get("shop") or "")
        if "shop" not in self.fields or not shop_id.isdigit():
            return None
        # The shop field's own choices, which the admin has scoped to the user's shops.
        return self.fields["shop"].queryset.filter(pk=shop_id).first()

    def _appliance_types(self) -> list[str]:
        shop = self._shop()
        return shop.booking_settings.appliance_types if shop else DEFAULT_APPLIANCE_TYPES

    def clean(self):
        cleaned = super().clean()
        for start, end in SHIFT_FIELDS:
            begins, ends = cleaned.get(start), cleaned.get(end)
            if (begins is None) != (ends is None):
                self.add_error(
                    end if begins else start, "Give both times, or neither for a day off."
                )
            elif begins and ends <= begins:
                self.add_error(end, "The shift must end after it starts.")
        shop = cleaned.get("shop") or self._shop()
        if shop and "skills" in cleaned:
            cleaned["skills"] = shop_skills(shop, cleaned["skills"])
        return cleaned

    def shifts(self) -> dict:
        """The week as technician_set_shifts takes it."""
        week = {}
        for weekday, (start, end) in enumerate(SHIFT_FIELDS):
            if self.cleaned_data.get(start):
                week[weekday] = (self.cleaned_data[start], self.cleaned_data[end])
        return week


class TimeOffInline(OwnersChange, ShopScopedAdmin, admin.TabularInline):
    model = TimeOff
    shop_field = "technician__shop"
    extra = 1
    fields = ["first_day", "last_day", "from_time", "until_time", "reason"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        widget = {"first_day": _CALENDAR, "last_day": _CALENDAR}.get(db_field.name)
        if db_field.name in ("from_time", "until_time"):
            widget = _CLOCK
        if widget is not None:
            kwargs["widget"] = widget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    verbose_name_plural = (
        "time off (whole days, or from a time on the first day until one on the last)"
    )


@admin.register(Technician)
class TechnicianAdmin(OwnersChange, ShopScopedAdmin, admin.ModelAdmin):
    form = TechnicianForm
    inlines = [TimeOffInline]
    list_display = ["name", "swatch", "phone", "services", "week", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["shop"]
    search_fields = ["name", "email"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("shifts")

    def get_fieldsets(self, request, obj=None):
        # Their own page and feed, to send them: a new technician gets theirs once saved.
        links = [(LINKS_TITLE, {"fields": ["links"]})] if obj is not None else []
        if not self.has_change_permission(request, obj):
            # A dispatcher reads the week as one line; the form's time fields are for editing.
            return [
                (None, {"fields": ["shop", "name", "is_active", "swatch"]}),
                ("Contact", {"fields": ["mobile_phone", "email"]}),
                *links,
                ("Work", {"fields": ["services", "week"]}),
            ]
        return [
            (None, {"fields": ["shop", "name", "is_active", "colour"]}),
            ("Contact", {"fields": ["mobile_phone", "email"]}),
            *links,
            ("Services", {"fields": ["skills"]}),
            (
                "Weekly shifts",
                {
                    "fields": SHIFT_FIELDS,
                    "description": "Leave both times of a day empty: off that day. Times are "
                    "on the shop's clock.",
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        # A technician's jobs are the shop's: they do not move to another shop with them.
        return ["shop", "links"] if obj is not None else []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        shop = Shop.objects.filter(pk=initial.get("shop")).first()
        if shop is not None:
            initial.setdefault("colour", next_colour(shop))
        return initial

    @admin.display(description="links")
    def links(self, obj):
        return format_html(
            '<p><a class="technician-link" href="{}" target="_blank" rel="noopener">{}</a></p>'
            '<p class="help">Their jobs of the day, made for a phone, with On my way and Done. '
            "No login: send it to them.</p>"
            '<p><code class="technician-link">{}</code></p>'
            '<p class="help">Their calendar feed: in a calendar app, "subscribe from URL" '
            "(Google: Other calendars, From URL). Jobs appear and move as you change them.</p>",
            day_url(obj),
            day_url(obj),
            feed_url(obj),
        )

    def get_urls(self):
        reissue = path(
            "<path:object_id>/reissue-links/",
            self.admin_site.admin_view(self.reissue_links_view),
            name="technicians_technician_reissue_links",
        )
        return [reissue, *super().get_urls()]

    @method_decorator(require_POST)
    def reissue_links_view(self, request, object_id):
        technician = self.get_object(request, unquote(object_id))
        if technician is None:
            raise Http404("No such technician.")
        if not self.has_change_permission(request, technician):
            raise PermissionDenied
        technician_reissue_links(technician=technician)
        self.message_user(
            request,
            f"New day link and calendar feed for {technician.name}: the old ones no longer "
            "work. Send them the new ones below.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:technicians_technician_change", args=[technician.pk]))

    @admin.display(description="colour")
    def swatch(self, obj):
        return format_html(
            '<span class="source-tag" style="background:{}">{}</span>', obj.colour, obj.colour
        )

    @admin.display(description="mobile", ordering="mobile_phone")
    def phone(self, obj):
        phone = obj.mobile_phone
        return phone.as_national if phone and phone.is_valid() else str(phone or "")

    @admin.display(description="services")
    def services(self, obj):
        return obj.skills_label()

    @admin.display(description="week")
    def week(self, obj):
        return obj.week_label()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        technician_set_shifts(technician=obj, shifts=form.shifts())
