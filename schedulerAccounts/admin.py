"""Settings -> Scheduler Accounts: a shop owner's partner accounts, keys and portal logins."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import (
    scheduler_account_delete,
    scheduler_account_remove_login,
    scheduler_account_revoke_key,
    scheduler_account_rotate_key,
    scheduler_account_set_login,
)
from tenants.admin import ShopScopedAdmin

KEY_TEMPLATE = "admin/scheduler_accounts/scheduleraccount/new_keys.html"


# What an owner decides the account may do: the form's fields and its fieldset alike.
PERMISSION_FIELDS = [
    "source_tag",
    "may_override_source",
    "allowed_fields",
    "may_overbook",
    "requests_per_hour",
    "bookings_per_hour",
]


class SchedulerAccountForm(forms.ModelForm):
    allowed_fields = forms.MultipleChoiceField(
        label="Extra fields it may write",
        choices=SchedulerAccount.WRITABLE_FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Beyond the public booking fields. Anything else it sends is refused.",
    )
    portal_username = forms.CharField(
        label="Portal username",
        max_length=150,
        required=False,
        help_text="The partner's agents sign in at /scheduler-login.html. Empty: no portal.",
    )
    portal_password = forms.CharField(
        label="Portal password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Stored hashed. Leave empty to keep the current password.",
    )

    class Meta:
        model = SchedulerAccount
        fields = ["shop", "name", "is_active", *PERMISSION_FIELDS]
        # The model's text is written for developers (it quotes the API field in backticks).
        help_texts = {"may_override_source": "Let a source sent with a booking replace the tag."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["portal_username"].initial = self.instance.user.username

    def clean_portal_username(self) -> str:
        username = self.cleaned_data["portal_username"].strip()
        if not username:
            return ""
        User = get_user_model()
        taken = User.objects.filter(username__iexact=username)
        if self.instance.user_id:
            taken = taken.exclude(pk=self.instance.user_id)
        if taken.exists():
            raise ValidationError(f"The username {username!r} is taken.")
        try:
            User.username_validator(username)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return username

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("portal_username")
        password = cleaned.get("portal_password")
        if username and not password and not self.instance.user_id:
            self.add_error("portal_password", "A new portal login needs a password.")
        if username and password:
            user = self.instance.user or get_user_model()(username=username)
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.add_error("portal_password", exc)
        return cleaned


@admin.register(SchedulerAccount)
class SchedulerAccountAdmin(ShopScopedAdmin, admin.ModelAdmin):
    """Owners only (ShopScopedAdmin's default): dispatchers never see partner credentials."""

    form = SchedulerAccountForm
    list_display = [
        "name",
        "shop",
        "source_tag",
        "key_display",
        "key_last_used_at",
        "portal_login",
        "is_active",
    ]
    list_filter = ["is_active"]
    list_select_related = ["shop", "user"]
    search_fields = ["name", "source_tag", "key_prefix", "user__username"]
    readonly_fields = ["key_display", "key_created_at", "key_last_used_at", "key_revoked_at"]
    fieldsets = [
        (None, {"fields": ["shop", "name", "is_active"]}),
        ("What it may do", {"fields": PERMISSION_FIELDS}),
        ("Portal login", {"fields": ["portal_username", "portal_password"]}),
        (
            "API key",
            {
                "fields": ["key_display", "key_created_at", "key_last_used_at", "key_revoked_at"],
                "description": "Keys are shown once, when issued; only their hash is kept.",
            },
        ),
    ]
    actions = ["rotate_keys", "revoke_keys"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # The key is issued on save and shown on the next page.
            return [fs for fs in self.fieldsets if fs[0] != "API key"]
        return self.fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "shop":
            shops = list(field.queryset[:2])
            if len(shops) == 1:
                # An owner of one shop has nothing to choose.
                field.initial = shops[0].pk
        return field

    # --- Columns.
    @admin.display(description="API key", ordering="key_prefix")
    def key_display(self, obj: SchedulerAccount) -> str:
        if not obj.key_prefix:
            return "none"
        if obj.key_revoked_at:
            return format_html("<code>{}_…</code> (revoked)", obj.key_prefix)
        return format_html("<code>{}_…</code>", obj.key_prefix)

    @admin.display(description="portal login", ordering="user__username")
    def portal_login(self, obj: SchedulerAccount) -> str:
        return obj.user.username if obj.user_id else "—"

    # --- Writes go through the services.
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            username = form.cleaned_data.get("portal_username")
            if username:
                scheduler_account_set_login(
                    account=obj,
                    username=username,
                    password=form.cleaned_data.get("portal_password") or "",
                )
            elif obj.user_id:
                scheduler_account_remove_login(account=obj)
            if not change:
                request.scheduler_new_keys = [(obj, scheduler_account_rotate_key(account=obj))]

    def response_add(self, request, obj, post_url_continue=None):
        new_keys = getattr(request, "scheduler_new_keys", None)
        if new_keys:
            return self._show_keys(request, new_keys, "created")
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        scheduler_account_delete(account=obj)

    def delete_queryset(self, request, queryset):
        for account in queryset.select_related("user"):
            scheduler_account_delete(account=account)

    @admin.action(
        description="Issue new API keys (the old ones stop working)", permissions=["change"]
    )
    def rotate_keys(self, request, queryset):
        if not queryset:
            # The admin hands actions only the selected rows this owner may see.
            self.message_user(request, "No scheduler account selected.", messages.WARNING)
            return None
        new_keys = [
            (account, scheduler_account_rotate_key(account=account)) for account in queryset
        ]
        return self._show_keys(request, new_keys, "rotated")

    @admin.action(description="Revoke API keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        for account in queryset:
            scheduler_account_revoke_key(account=account)
        self.message_user(
            request,
            f"Revoked the API key of {len(queryset)} account(s); requests with it now get 401.",
            messages.SUCCESS,
        )

    # --- The key page, and the change page's rotate/revoke buttons.
    def _show_keys(self, request, new_keys, verb: str) -> TemplateResponse:
        # Rendered straight from the POST, never stored in the session or a cookie.
        response = TemplateResponse(
            request,
            KEY_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": "Copy the new API key" + ("s" if len(new_keys) > 1 else ""),
                "opts": self.model._meta,
                "new_keys": new_keys,
                "verb": verb,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def get_urls(self):
        own = [
            path(
                "<int:pk>/rotate-key/",
                self.admin_site.admin_view(self.rotate_key_view),
                name="scheduler_accounts_scheduleraccount_rotate_key",
            ),
            path(
                "<int:pk>/revoke-key/",
                self.admin_site.admin_view(self.revoke_key_view),
                name="scheduler_accounts_scheduleraccount_revoke_key",
            ),
        ]
        return own + super().get_urls()

    def _get_managed_or_404(self, request, pk) -> SchedulerAccount:
        account = self.get_object(request, pk)
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        return account

    @method_decorator(require_POST)
    def rotate_key_view(self, request, pk):
        account = self._get_managed_or_404(request, pk)
        return self._show_keys(
            request, [(account, scheduler_account_rotate_key(account=account))], "rotated"
        )

    @method_decorator(require_POST)
    def revoke_key_view(self, request, pk):
        account = self._get_managed_or_404(request, pk)
        scheduler_account_revoke_key(account=account)
        self.message_user(request, f"Revoked the API key of {account.name}.", messages.SUCCESS)
        return redirect(reverse("admin:scheduler_accounts_scheduleraccount_change", args=[pk]))
