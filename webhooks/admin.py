"""Webhook endpoints and their delivery log in the admin: owners only (ShopScopedAdmin's default).

An owner adds shop-wide endpoints (the shop's own systems) or one for a scheduler account; the
signing secret is shown once, when made or rotated. The log shows every try and sends again.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.timezone import localtime

from applianceops.lib.admin import ReadOnlyLog
from schedulerAccounts.models import SchedulerAccount
from tenants.admin import ShopScopedAdmin
from webhooks import delivery
from webhooks.forms import URL_HELP, EventsField
from webhooks.models import ALL_EVENTS, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    check_endpoint_url,
    endpoint_create,
    endpoint_rotate_secret,
    endpoint_update,
)

SECRETS_TEMPLATE = "admin/webhooks/webhookendpoint/new_secrets.html"


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https", help_text=URL_HELP)
    events = EventsField(label="Events")

    class Meta:
        model = WebhookEndpoint
        fields = ["shop", "account", "url", "events", "is_active"]

    def clean_url(self) -> str:
        return check_endpoint_url(self.cleaned_data["url"])

    def clean(self):
        cleaned = super().clean()
        shop, account = cleaned.get("shop"), cleaned.get("account")
        if shop and account and account.shop_id != shop.pk:
            self.add_error("account", "Choose one of this shop's scheduler accounts.")
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ShopScopedAdmin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "shop", "receives_display", "events_display", "is_active", "state"]
    list_filter = ["is_active"]
    list_select_related = ["shop", "account"]
    search_fields = ["url", "account__name"]
    readonly_fields = ["secret_display", "failing_since", "disabled_at", "disabled_reason"]
    actions = ["rotate_secrets"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Which shop and account an endpoint serves is fixed: make another for another.
        return ["shop", "account", *self.readonly_fields]

    def get_fields(self, request, obj=None):
        fields = ["shop", "account", "url", "events", "is_active"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            shop_ids = self.allowed_shop_ids(request)
            accounts = SchedulerAccount.objects.select_related("shop")
            kwargs["queryset"] = (
                accounts if shop_ids is None else accounts.filter(shop__in=shop_ids)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="receives", ordering="account__name")
    def receives_display(self, obj: WebhookEndpoint) -> str:
        if obj.account_id:
            return f"{obj.account.name}'s bookings"
        return "every booking of the shop"

    @admin.display(description="events")
    def events_display(self, obj: WebhookEndpoint) -> str:
        events = obj.events or []
        return "all" if set(events) >= set(ALL_EVENTS) else ", ".join(events)

    @admin.display(description="state")
    def state(self, obj: WebhookEndpoint):
        log = (
            reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        )
        if obj.disabled_reason and not obj.is_active:
            words = f"switched off: {obj.disabled_reason}"
        elif obj.failing_since:
            words = f"failing since {localtime(obj.failing_since):%Y-%m-%d %H:%M}"
        else:
            words = "ok"
        return format_html('{} · <a href="{}">delivery log</a>', words, log)

    @admin.display(description="signing secret")
    def secret_display(self, obj: WebhookEndpoint) -> str:
        made = (
            f"{localtime(obj.secret_created_at):%Y-%m-%d %H:%M}" if obj.secret_created_at else "—"
        )
        return f"whsec_… (made {made}; shown only when made: rotate it for a new one)"

    def save_model(self, request, obj, form, change):
        self.check_shop(request, obj)
        data = form.cleaned_data
        if change:
            endpoint_update(
                endpoint=obj, url=data["url"], events=data["events"], is_active=data["is_active"]
            )
            return
        endpoint, secret = endpoint_create(
            shop=data["shop"],
            account=data.get("account"),
            url=data["url"],
            events=data["events"],
            is_active=data["is_active"],
        )
        obj.pk = endpoint.pk
        request.webhook_new_secrets = [(endpoint, secret)]

    def response_add(self, request, obj, post_url_continue=None):
        new_secrets = getattr(request, "webhook_new_secrets", None)
        if new_secrets:
            return self._show_secrets(request, new_secrets)
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Rotate signing secrets (shown once)", permissions=["change"])
    def rotate_secrets(self, request, queryset):
        if not queryset:
            self.message_user(request, "No endpoint selected.", messages.WARNING)
            return None
        return self._show_secrets(
            request, [(hook, endpoint_rotate_secret(endpoint=hook)) for hook in queryset]
        )

    def _show_secrets(self, request, new_secrets) -> TemplateResponse:
        # Rendered straight from the POST, never stored in the session or a cookie.
        response = TemplateResponse(
            request,
            SECRETS_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": "Copy the signing secret" + ("s" if len(new_secrets) > 1 else ""),
                "opts": self.model._meta,
                "new_secrets": new_secrets,
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class WebhookAttemptInline(ShopScopedAdmin, admin.TabularInline):
    model = WebhookAttempt
    shop_field = "delivery__endpoint__shop"
    fields = ["at", "status_code", "duration_ms", "response_excerpt", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "attempt"

    def has_view_permission(self, request, obj=None):
        # Asked about the delivery, which its own admin has already scoped to the user's shops.
        return self.has_shop_access(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyLog, ShopScopedAdmin, admin.ModelAdmin):
    list_title = "Webhook delivery log"
    shop_field = "endpoint__shop"
    list_display = [
        "created_at",
        "event_type",
        "booking_link",
        "endpoint_url",
        "status",
        "attempts",
        "last_answer",
        "next_attempt_at",
    ]
    list_filter = ["status", "event__type"]
    list_select_related = ["event__booking", "endpoint__account"]
    search_fields = ["endpoint__url", "event__booking__customer_name", "event__id"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = [
        "event_id_display",
        "event_type",
        "booking_link",
        "endpoint_url",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "payload",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]

    def has_resend_permission(self, request) -> bool:
        return self.has_shop_access(request)

    @admin.display(description="event id", ordering="event_id")
    def event_id_display(self, obj: WebhookDelivery) -> str:
        return obj.event_id

    @admin.display(description="event", ordering="event__type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return f"{obj.event.type} #{obj.event.sequence}"

    @admin.display(description="booking")
    def booking_link(self, obj: WebhookDelivery):
        booking = obj.event.booking
        url = reverse("admin:booking_booking_change", args=[booking.pk])
        return format_html(
            '<a href="{}">{} ({})</a>', url, booking.customer_name, booking.reference
        )

    @admin.display(description="endpoint", ordering="endpoint__url")
    def endpoint_url(self, obj: WebhookDelivery) -> str:
        return f"{obj.endpoint.url} ({obj.endpoint.receives})"

    @admin.display(description="last answer")
    def last_answer(self, obj: WebhookDelivery) -> str:
        return obj.last_error or ("2xx" if obj.status == WebhookDelivery.Status.DELIVERED else "—")

    @admin.display(description="payload")
    def payload(self, obj: WebhookDelivery):
        pretty = json.dumps(json.loads(obj.event.body), indent=2)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', pretty)

    @admin.action(description="Send the selected events again", permissions=["resend"])
    def send_again(self, request, queryset):
        count = delivery.send_again(queryset)
        if count:
            self.message_user(request, f"{count} event(s) queued to send again.")
        else:
            self.message_user(
                request, "Only delivered or failed events can be sent again.", messages.WARNING
            )
