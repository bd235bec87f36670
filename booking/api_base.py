"""What every Partner API endpoint shares: the optional partner key, the body cap, the request
limit and its headers, the shop a slug names, and refusals in the contract's words."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

from django.conf import settings
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.serializer_helpers import BindingDict
from rest_framework.views import APIView

from applianceops.api_errors import ApiError, PayloadTooLarge
from booking import facts, ratelimits, refusals
from booking.availability import next_open_date
from booking.errors import ShopNotFound
from booking.inputs import is_sent
from booking.services import BookingDisabled, BookingError, NoAvailability
from schedulerAccounts.authentication import SchedulerKeyAuthentication
from schedulerAccounts.models import SchedulerAccount
from tenants.models import Shop

# Refusals of a change to an existing booking that no retry of the same request can fix.
CONFLICTS = {"not_cancellable", "not_movable"}


class PartnerApiView(APIView):
    """A Partner API endpoint: every request is counted (an account's own bucket for a key),
    and every answer carries the request quota in RateLimit-* headers."""

    # No header: the public rules. A partner key: request.auth is its SchedulerAccount.
    authentication_classes = [SchedulerKeyAuthentication]

    def initial(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            raise PayloadTooLarge(settings.API_MAX_BODY_BYTES)
        try:
            # Authenticate first so a scheduler account is counted in its own bucket; a request
            # whose key is refused still counts against its IP.
            self.perform_authentication(request)
        finally:
            with rate_limit_errors():
                self.request_quota = self.count_request(request)
        super().initial(request, *args, **kwargs)

    def count_request(self, request) -> ratelimits.Usage | None:
        """Count the request against its client's limit (RateLimited when over)."""
        return ratelimits.count_request(request, account=request.auth)

    def finalize_response(self, request, response, *args, **kwargs):
        quota = getattr(self, "request_quota", None)
        if quota is not None:
            for header, value in quota.headers().items():
                response.headers.setdefault(header, value)
        return super().finalize_response(request, response, *args, **kwargs)


class PartnerKeyRequired(permissions.BasePermission):
    """Only a scheduler account's key opens the endpoint: without one, a 401 that says so."""

    message = "This endpoint needs a partner key: send 'Authorization: Bearer <partner key>'."

    def has_permission(self, request, view) -> bool:
        if request.auth is None:
            raise exceptions.NotAuthenticated(self.message)
        return True


class FieldsBuiltOnce(serializers.Serializer):
    """An input serializer whose fields are built and bound once per class, not per request.

    DRF deep-copies every declared field for each serializer instance, so that one instance may
    change its fields without touching another's: for the booking's twenty fields that copy was
    a tenth of a booking's Python time (py-spy on a gunicorn worker, issue 17). An input
    serializer here never changes its fields after declaring them, and a field keeps nothing of
    one validation for the next (values and errors live in the serializer instance), so one
    bound set serves every instance and thread. They are bound to an instance of their own that
    holds no request's data."""

    @property
    def fields(self) -> BindingDict:
        cls = type(self)
        shared = cls.__dict__.get("_fields_built_once")
        if shared is None:
            holder = cls()
            shared = BindingDict(holder)
            for name, field in holder.get_fields().items():
                shared[name] = field
            # Two threads racing here each build a set; the last one kept is as good.
            cls._fields_built_once = shared
        return shared


class PartnerInput(FieldsBuiltOnce):
    """An endpoint's input: a missing or blank required field is reported as the contract does
    ("Missing required field: slug", code missing_field), before any other field's error."""

    def to_internal_value(self, data):
        for name, field in self.fields.items():
            if field.required and not is_sent(data.get(name)):
                error = ErrorDetail(f"Missing required field: {name}", "missing_field")
                raise serializers.ValidationError({name: [error]})
        return super().to_internal_value(data)


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """The fields of a JSON object (or a query string), else the first field's 400."""
    if not isinstance(data, Mapping):
        raise ApiError(
            "The request body must be a JSON object of the fields.", code="malformed_body"
        )
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@contextmanager
def rate_limit_errors():
    try:
        yield
    except ratelimits.RateLimited as exc:
        raise ApiError(
            exc.message,
            code="rate_limited",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after), **exc.usage.headers()},
            extra={"hint": ratelimits.PARTNER_KEY_HINT},
        ) from None


@contextmanager
def refusals_in_contract_words(shop: Shop):
    """A refused booking, move or cancel (or booking quota) as the contract's error.

    A date without room says the next day that has some, so a partner need not guess.
    """
    with rate_limit_errors():
        try:
            yield
        except (BookingDisabled, ShopNotFound) as exc:
            raise ApiError(
                refusals.for_api(exc), code=exc.code, status_code=404, field="slug"
            ) from None
        except NoAvailability as exc:
            following = next_open_date(exc.shop or shop, exc.facts["day"])
            raise ApiError(
                refusals.for_api(exc),
                code=exc.code,
                field=exc.field,
                extra={"next_available_date": following.isoformat() if following else None},
            ) from None
        except BookingError as exc:
            status_code = 409 if exc.code in CONFLICTS else 400
            raise ApiError(
                refusals.for_api(exc), code=exc.code, field=exc.field, status_code=status_code
            ) from None


def shop_for(slug: str, account: SchedulerAccount | None, *, booking_day=None) -> Shop:
    """The active shop with this slug (else 404), and a partner key's own (else 403).

    With `booking_day`, what booking on that day needs comes in the same query (booking.facts).
    """
    if booking_day is not None:
        shop = facts.shop_for_booking(slug, booking_day)
    else:
        shop = Shop.objects.public_by_slug(slug)
    if shop is None:
        unknown = ShopNotFound(slug)
        raise ApiError(unknown.message, code=unknown.code, status_code=404, field="slug")
    if account is not None and account.shop_id != shop.pk:
        raise ApiError(
            "This partner key belongs to another shop; use that shop's slug or its key.",
            code="forbidden",
            status_code=403,
            field="slug",
        )
    return shop
