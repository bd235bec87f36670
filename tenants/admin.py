"""The admin's shop scoping, and Settings: online booking, shops, and each shop's people.

Who may do what comes from Membership, not from Django's per-user model permissions: a shop's
role is the one fact both the admin and the rest of the product read, so there is no second copy
(groups, permission rows) to drift from it when an owner demotes someone.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from tenants.access import ALL_ROLES, OWNER_ONLY, shop_ids_with
from tenants.admin_fields import JobLengthsField
from tenants.models import WEEKDAY_NAMES, BlackoutDate, BookingSettings, Membership, Shop
from tenants.services import membership_create


class ShopScopedAdmin:
    """Mixin for a ModelAdmin (or inline) whose objects belong to one shop.

    Lists, change pages, search, autocomplete and actions all start from get_queryset, so another
    shop's object is simply not there (a 404 by URL). `shop_field` is the lookup from the model to
    its shop; `shop_roles` the Membership roles that may use this admin at all.
    """

    shop_field = "shop"
    shop_roles: frozenset[str] = OWNER_ONLY

    def allowed_shop_ids(self, request) -> set[int] | None:
        return shop_ids_with(request, self.shop_roles)

    def shop_id_of(self, obj) -> int | None:
        if not isinstance(obj, self.model):
            # An inline's permissions are asked about its parent object.
            return getattr(obj, "shop_id", None)
        *path, last = self.shop_field.split("__")
        for name in path:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id", None)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        shop_ids = self.allowed_shop_ids(request)
        if shop_ids is None:
            return queryset
        return queryset.filter(**{f"{self.shop_field}__in": shop_ids})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            if self._of_a_shop_in_another_role(request, object_id):
                # A dispatcher opening the settings of their own shop: say it is for owners.
                raise PermissionDenied("That page is for the shop's owners.")
            # Django's admin would redirect to the index saying the object may have been
            # deleted; for another shop's object, "not found" is the honest answer.
            raise Http404("Not found.")
        return obj

    def _of_a_shop_in_another_role(self, request, object_id) -> bool:
        """Whether the object is at a shop the user works for, in a role this admin is not for."""
        shop_ids = shop_ids_with(request, ALL_ROLES)
        if not shop_ids:
            return False
        mine = self.model._default_manager.filter(**{f"{self.shop_field}__in": shop_ids})
        try:
            return mine.filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            return False

    def has_shop_access(self, request, obj=None) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        shop_ids = self.allowed_shop_ids(request)
        if shop_ids is None:
            return True
        if not shop_ids:
            return False
        return obj is None or self.shop_id_of(obj) in shop_ids

    def has_module_permission(self, request):
        return self.has_shop_access(request)

    def has_view_permission(self, request, obj=None):
        return self.has_shop_access(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_shop_access(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.has_shop_access(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_shop_access(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        shop_ids = self.allowed_shop_ids(request)
        if self.shop_field == "shop" and shop_ids is not None and len(shop_ids) == 1:
            # Someone at one shop has nothing to pick: a blank "---------" only earns an error.
            initial.setdefault("shop", next(iter(shop_ids)))
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        shop_ids = self.allowed_shop_ids(request)
        if db_field.related_model is Shop and shop_ids is not None:
            kwargs["queryset"] = Shop.objects.filter(pk__in=shop_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def check_shop(self, request, obj) -> None:
        """The backstop behind the limited choices: never write into a shop not the user's."""
        shop_ids = self.allowed_shop_ids(request)
        if shop_ids is not None and self.shop_id_of(obj) not in shop_ids:
            raise PermissionDenied("That shop is not yours.")

    def save_model(self, request, obj, form, change):
        self.check_shop(request, obj)
        super().save_model(request, obj, form, change)


class LabelledRowsFormSet(BaseInlineFormSet):
    """A tabular inline whose inputs each carry their column's name and row (aria-label).

    The tabular layout shows a column's name only in its header, which a screen reader does not
    read with the input: "Date (row 2)" is what the blackout dates' second date field is.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{capfirst(field.label)} ({row})"


# --- Settings -> Online booking -----------------------------------------------------------


class LinesField(forms.CharField):
    """A list of strings edited as one entry per line (commas work too)."""

    widget = forms.Textarea(attrs={"rows": 10, "cols": 30})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        entries: list[str] = []
        for line in text.replace(",", "\n").splitlines():
            entry = " ".join(line.split())
            if entry and entry not in entries:
                entries.append(entry)
        return entries

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class BookingSettingsForm(forms.ModelForm):
    working_weekdays = forms.TypedMultipleChoiceField(
        label="Working days",
        choices=[(number, name.title()) for number, name in enumerate(WEEKDAY_NAMES)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Days the shop takes jobs. Blackout dates below close single days.",
        error_messages={"required": "Tick at least one working day."},
    )
    appliance_types = LinesField(
        label="Appliance types",
        help_text="One per line, in the order customers see them. Keep 'Other' for the rest.",
        error_messages={"required": "List at least one appliance type."},
    )
    service_zip_codes = LinesField(
        label="Service area ZIP codes",
        required=False,
        help_text="One five-digit ZIP per line. Leave empty to take jobs anywhere.",
    )
    job_minutes_by_appliance = JobLengthsField(
        label="Job length by appliance",
        required=False,
        help_text="One appliance type and its minutes per line, e.g. Refrigerator: 90. With "
        "technicians, a job keeps one busy this long; a type not listed takes the default.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every type the shop repairs is listed, with the length it takes now.
        settings = self.instance
        self.initial["job_minutes_by_appliance"] = {
            kind: settings.job_length(kind) for kind in settings.appliance_types
        }

    def clean_job_minutes_by_appliance(self):
        lengths = self.cleaned_data["job_minutes_by_appliance"]
        types = self.cleaned_data.get("appliance_types") or self.instance.appliance_types
        by_name = {kind.casefold(): kind for kind in types}
        unknown = [kind for kind in lengths if kind.casefold() not in by_name]
        if unknown:
            raise ValidationError(
                "Not among the appliance types: %(unknown)s. Add them there, or remove them here.",
                params={"unknown": ", ".join(unknown)},
            )
        return {by_name[kind.casefold()]: minutes for kind, minutes in lengths.items()}

    def clean_service_zip_codes(self):
        zips = self.cleaned_data["service_zip_codes"]
        wrong = [entry for entry in zips if not re.fullmatch(r"\d{5}", entry)]
        if wrong:
            # Name them: in a list of forty ZIPs, "Five-digit ZIP codes" alone hides the typo.
            raise ValidationError(
                "Not five-digit ZIP codes: %(wrong)s. Write one like 93534 per line.",
                params={"wrong": ", ".join(wrong)},
            )
        return zips

    class Meta:
        model = BookingSettings
        fields = [
            "booking_enabled",
            "working_weekdays",
            "first_start",
            "last_start",
            "minutes_between_starts",
            "jobs_per_start_time",
            "min_notice_minutes",
            "horizon_days",
            "reminder_hours_before",
            "appliance_types",
            "service_zip_codes",
            "default_job_minutes",
            "job_minutes_by_appliance",
        ]


class BlackoutDateInline(ShopScopedAdmin, admin.TabularInline):
    model = BlackoutDate
    formset = LabelledRowsFormSet
    shop_field = "settings__shop"
    extra = 1
    verbose_name = "blackout date"
    verbose_name_plural = "blackout dates (holidays and closures: no bookings)"


@admin.register(BookingSettings)
class BookingSettingsAdmin(ShopScopedAdmin, admin.ModelAdmin):
    form = BookingSettingsForm
    inlines = [BlackoutDateInline]
    list_display = ["shop", "booking_enabled", "jobs_per_start_time", "working_days", "public_page"]
    list_select_related = ["shop"]
    readonly_fields = ["shop_name", "public_page"]
    fieldsets = [
        (None, {"fields": ["shop_name", "public_page", "booking_enabled"]}),
        (
            "Hours and capacity",
            {
                "fields": [
                    "working_weekdays",
                    ("first_start", "last_start"),
                    "minutes_between_starts",
                    "jobs_per_start_time",
                ]
            },
        ),
        (
            "Booking rules",
            {"fields": ["min_notice_minutes", "horizon_days", "reminder_hours_before"]},
        ),
        ("Jobs and service area", {"fields": ["appliance_types", "service_zip_codes"]}),
        ("Job lengths", {"fields": ["default_job_minutes", "job_minutes_by_appliance"]}),
    ]

    @admin.display(description="shop")
    def shop_name(self, obj):
        return obj.shop.name

    @admin.display(description="working days")
    def working_days(self, obj):
        return obj.weekday_labels()

    @admin.display(description="public booking page")
    def public_page(self, obj):
        url = f"{settings.SITE_URL}/book/{obj.shop.slug}"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    # Settings come and go with their shop.
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """An owner of one shop has one form: go straight to it."""
        if not request.user.is_superuser:
            ids = list(self.get_queryset(request).values_list("pk", flat=True)[:2])
            if len(ids) == 1:
                return HttpResponseRedirect(
                    reverse("admin:tenants_bookingsettings_change", args=[ids[0]])
                )
        return super().changelist_view(request, extra_context)


# --- Shops (the platform operator's) ------------------------------------------------------


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "is_active", "created_at"]
    list_filter = ["is_active", "time_zone"]
    search_fields = ["name", "slug"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        # A shop's bookings are PROTECTed; switching it off is the way to retire it.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A shop without settings would break its booking page; shop_create makes both too.
        BookingSettings.objects.get_or_create(shop=obj)


# --- The shop's people --------------------------------------------------------------------


class MembershipAddForm(forms.ModelForm):
    """A new staff login for the shop, made by tenants.services.membership_create."""

    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        min_length=10,
        help_text="At least 10 characters. Give it to them in person.",
    )

    class Meta:
        model = Membership
        fields = ["shop", "role"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("That username is taken; choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            password_validation.validate_password(cleaned["password"])
        except ValidationError as exc:
            self.add_error("password", exc)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(ShopScopedAdmin, admin.ModelAdmin):
    list_display = ["user", "email", "shop", "role", "last_login"]
    list_filter = ["role"]
    list_select_related = ["user", "shop"]
    search_fields = ["user__username", "user__email"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["shop", "username", "email", "password", "role"]
        return ["username", "shop_name", "role"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.user_id == request.user.pk:
            # Demoting yourself would lock you out of this very page.
            return ["username", "shop_name", "role"]
        return ["username", "shop_name"]

    @admin.display(description="username")
    def username(self, obj):
        return obj.user.get_username()

    @admin.display(description="shop")
    def shop_name(self, obj):
        return obj.shop.name

    @admin.display(description="e-mail", ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="last sign-in", ordering="user__last_login")
    def last_login(self, obj):
        return obj.user.last_login

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        self.check_shop(request, obj)
        if change:
            obj.save(update_fields=["role"])
            return
        created = membership_create(
            shop=obj.shop,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            role=obj.role,
            email=form.cleaned_data.get("email") or "",
        )
        # The admin logs and redirects with the object it handed us.
        obj.pk, obj.user = created.pk, created.user
        obj._state.adding = False
