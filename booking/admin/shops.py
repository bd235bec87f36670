"""Which shops a user's booking pages may show, and the one a page was asked for."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from tenants.models import Shop


def scoped_shops(request, model_admin):
    """The shops `model_admin` lets this user see: all of them for a superuser."""
    shop_ids = model_admin.allowed_shop_ids(request)
    shops = Shop.objects.all()
    return shops if shop_ids is None else shops.filter(pk__in=shop_ids)


def shop_for_request(request, model_admin) -> Shop:
    """The shop in ?shop=, else the user's first by name; 404 for one that is not theirs."""
    shops = scoped_shops(request, model_admin).select_related("booking_settings")
    wanted = request.GET.get("shop", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("No such shop.")
        return get_object_or_404(shops, pk=int(wanted))
    shop = shops.order_by("name").first()
    if shop is None:
        raise Http404("You are not a member of any shop.")
    return shop
