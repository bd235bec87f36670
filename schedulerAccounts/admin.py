"""Settings -> Scheduler Accounts: a shop owner's partner accounts, keys and portal logins (one
per agent of the partner)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from schedulerAccounts.models import PortalAgent, SchedulerAccount
from schedulerAccounts.services import (
    scheduler_account_delete,
    scheduler_account_revoke_key,
    scheduler_account_rotate_key,
    scheduler_agent_add,
    scheduler_agent_update,
)
from tenants.admin import LabelledRowsFormSet, ShopScopedAdmin

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

    class Meta:
        model = SchedulerAccount
        fields = ["shop", "name", "is_active", *PERMISSION_FIELDS]
        # The model's text is written for developers (it quotes the API field in backticks).
        help_texts = {"may_override_source": "Let a source sent with a booking replace the tag."}


class PortalAgentForm(forms.ModelForm):
    """One portal login: its username, a new password (empty keeps it), on or off."""

    username = forms.CharField(label="Username", max_length=150)
    password = forms.CharField(
        label="New password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Stored hashed. Empty keeps the current one.",
    )
    is_active = forms.BooleanField(label="Can sign in", required=False, initial=True)

    class Meta:
        model = PortalAgent
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.username
            self.fields["is_active"].initial = self.instance.user.is_active

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The service's own checks (a free username, a strong password), before anything saves.
        user = self.instance.user if self.instance.pk else get_user_model()()
        username = cleaned["username"].strip()
        User = get_user_model()
        if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
            self.add_error("username", f"The username {username!r} is taken.")
        password = cleaned.get("password")
        if not password and not self.instance.pk:
            self.add_error("password", "A new portal login needs a password.")
        elif password:
            user.username = username
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class PortalAgentInline(ShopScopedAdmin, admin.TabularInline):
    """The partner's people, each with a login of their own; the owner adds and switches them
    off here. Not deleted: their bookings keep saying who made them."""

    model = PortalAgent
    form = PortalAgentForm
    formset = LabelledRowsFormSet
    shop_field = "account__shop"
    fields = ["username", "password", "is_active"]
    extra = 1
    can_delete = False
    verbose_name = "portal login"
    verbose_name_plural = (
        "portal logins (each of the partner's agents signs in at /scheduler-login.html)"
    )


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
        "portal_logins",
        "is_active",
    ]
    list_filter = ["is_active"]
    list_select_related = ["shop"]
    search_fields = ["name", "source_tag", "key_prefix", "agents__user__username"]
    inlines = [PortalAgentInline]
    readonly_fields = [
        "key_display",
        "key_created_at",
        "key_last_used_at",
        "key_revoked_at",
        "test_key_display",
        "test_key_created_at",
        "test_key_last_used_at",
    ]
    fieldsets = [
        (None, {"fields": ["shop", "name", "is_active"]}),
        ("What it may do", {"fields": PERMISSION_FIELDS}),
        (
            "API key",
            {
                "fields": ["key_display", "key_created_at", "key_last_used_at", "key_revoked_at"],
                "description": "Keys are shown once, when issued; only their hash is kept.",
            },
        ),
        (
            "Test key",
            {
                "fields": ["test_key_display", "test_key_created_at", "test_key_last_used_at"],
                "description": "For the partner's developers: the same rules and answers as "
                "the API key, but its bookings take no seat, reach nobody and show only in "
                "Partner test bookings.",
            },
        ),
    ]
    actions = ["rotate_keys", "revoke_keys"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # The key is issued on save and shown on the next page.
            return [fs for fs in self.fieldsets if fs[0] not in ("API key", "Test key")]
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

    @admin.display(description="test key", ordering="test_key_prefix")
    def test_key_display(self, obj: SchedulerAccount) -> str:
        if not obj.test_key_prefix:
            return "none"
        if obj.test_key_revoked_at:
            return format_html("<code>{}_…</code> (revoked)", obj.test_key_prefix)
        return format_html("<code>{}_…</code>", obj.test_key_prefix)

    @admin.display(description="portal logins")
    def portal_logins(self, obj: SchedulerAccount) -> str:
        names = [agent.user.username for agent in obj.agents.all() if agent.user.is_active]
        return ", ".join(names) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("agents__user")

    # --- Writes go through the services.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            request.scheduler_new_keys = [(obj, scheduler_account_rotate_key(account=obj))]

    def save_formset(self, request, form, formset, change):
        if formset.model is not PortalAgent:
            return super().save_formset(request, form, formset, change)
        # The admin's history reads these, as after formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for agent_form in formset.forms:
            if not agent_form.has_changed():
                continue
            data = agent_form.cleaned_data
            if agent_form.instance.pk:
                agent = scheduler_agent_update(
                    agent=agent_form.instance,
                    username=data["username"],
                    password=data.get("password") or "",
                    is_active=data.get("is_active", False),
                )
                formset.changed_objects.append((agent, agent_form.changed_data))
            else:
                agent = scheduler_agent_add(
                    account=form.instance, username=data["username"], password=data["password"]
                )
                formset.new_objects.append(agent)

    def response_add(self, request, obj, post_url_continue=None):
        new_keys = getattr(request, "scheduler_new_keys", None)
        if new_keys:
            return self._show_keys(request, new_keys, "created")
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        scheduler_account_delete(account=obj)

    def delete_queryset(self, request, queryset):
        for account in queryset:
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
    def _show_keys(self, request, new_keys, verb: str, kind: str = "API key") -> TemplateResponse:
        # Rendered straight from the POST, never stored in the session or a cookie.
        response = TemplateResponse(
            request,
            KEY_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": f"Copy the new {kind}" + ("s" if len(new_keys) > 1 else ""),
                "kind": kind,
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
            path(
                "<int:pk>/rotate-test-key/",
                self.admin_site.admin_view(self.rotate_test_key_view),
                name="scheduler_accounts_scheduleraccount_rotate_test_key",
            ),
            path(
                "<int:pk>/revoke-test-key/",
                self.admin_site.admin_view(self.revoke_test_key_view),
                name="scheduler_accounts_scheduleraccount_revoke_test_key",
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

    @method_decorator(require_POST)
    def rotate_test_key_view(self, request, pk):
        account = self._get_managed_or_404(request, pk)
        verb = "rotated" if account.test_key_hash else "created"
        new_key = scheduler_account_rotate_key(account=account, test=True)
        return self._show_keys(request, [(account, new_key)], verb, kind="test key")

    @method_decorator(require_POST)
    def revoke_test_key_view(self, request, pk):
        account = self._get_managed_or_404(request, pk)
        scheduler_account_revoke_key(account=account, test=True)
        self.message_user(request, f"Revoked the test key of {account.name}.", messages.SUCCESS)
        return redirect(reverse("admin:scheduler_accounts_scheduleraccount_change", args=[pk]))
