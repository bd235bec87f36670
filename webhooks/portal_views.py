"""The partner portal's webhook pages: the account's endpoints and their delivery log.

An agent sees and changes only its own account's endpoints; anything else is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from schedulerAccounts.views import portal_view
from webhooks import delivery
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
)

DELIVERIES_PER_PAGE = 25


def _own_endpoint_or_404(agent, pk) -> WebhookEndpoint:
    account = agent.account
    return get_object_or_404(WebhookEndpoint, pk=pk, account=account, shop=account.shop)


def _page(request, agent, form, new_secret=None, status=200):
    endpoints = WebhookEndpoint.objects.filter(account=agent.account, shop=agent.account.shop)
    context = {"account": agent.account, "endpoints": endpoints, "form": form}
    context["new_secret"] = new_secret
    response = render(request, "webhooks/portal/endpoints.html", context, status=status)
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@portal_view
def endpoints(request, agent):
    """The account's endpoints; POST adds one and shows its signing secret, this once."""
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return _page(request, agent, form, status=400 if form.is_bound else 200)
    account = agent.account
    hook, secret = endpoint_create(shop=account.shop, account=account, **form.cleaned_data)
    return _page(request, agent, EndpointForm(), new_secret=(hook, secret))


@portal_view
def endpoint_edit(request, agent, pk):
    hook = _own_endpoint_or_404(agent, pk)
    initial = {"url": hook.url, "events": hook.events, "is_active": hook.is_active}
    form = EndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        endpoint_update(endpoint=hook, **form.cleaned_data)
        messages.success(request, f"Saved {hook.url}.")
        return redirect("scheduler-webhooks")
    context = {"account": agent.account, "endpoint": hook, "form": form}
    return render(request, "webhooks/portal/endpoint_edit.html", context)


@require_POST
@portal_view
def endpoint_rotate(request, agent, pk):
    hook = _own_endpoint_or_404(agent, pk)
    secret = endpoint_rotate_secret(endpoint=hook)
    return _page(request, agent, EndpointForm(), new_secret=(hook, secret))


@require_POST
@portal_view
def endpoint_remove(request, agent, pk):
    hook = _own_endpoint_or_404(agent, pk)
    endpoint_delete(endpoint=hook)
    messages.success(request, f"Deleted {hook.url}; it is sent nothing more.")
    return redirect("scheduler-webhooks")


@portal_view
def deliveries(request, agent):
    """What was sent to the account's endpoints, newest first, with every attempt."""
    account = agent.account
    rows = (
        WebhookDelivery.objects.filter(endpoint__account=account, endpoint__shop=account.shop)
        .select_related("event__booking", "endpoint")
        .prefetch_related("attempt_log")
    )
    page = Paginator(rows, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"account": account, "page": page}
    return render(request, "webhooks/portal/deliveries.html", context)


@require_POST
@portal_view
def delivery_send_again(request, agent, pk):
    account = agent.account
    row = get_object_or_404(
        WebhookDelivery, pk=pk, endpoint__account=account, endpoint__shop=account.shop
    )
    if delivery.send_again([row]):
        messages.success(request, f"{row.event.type} #{row.event.sequence} will be sent again.")
    else:
        messages.error(request, "It is still being sent: wait for it to be delivered or fail.")
    return redirect("scheduler-webhook-deliveries")
