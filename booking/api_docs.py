"""GET /api/docs: the Partner Booking API contract as a page, with this server's address."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from booking import ratelimits
from booking.api import REQUIRED_FIELDS, BookingCreateApi
from tenants.models import DEFAULT_APPLIANCE_TYPES
from tenants.services import DEMO_SLUG

# What the contract's field table says, plus what we accept; caps are read from the serializer
# so the page cannot drift from what the endpoint enforces.
FIELD_NOTES = [
    ("slug", "The shop's identifier, as in its booking page URL (/book/<slug>)."),
    ("name", "Customer name (first + last works)."),
    (
        "phone",
        "E.164 (+15551234567) preferred. Digits-only and the usual punctuation are accepted, "
        "e.g. 5551234567 or (555) 123-4567; numbers without a country code are read as US. "
        "Stored as E.164, which has no room for an extension: a number with one is refused "
        "(send the extension in issue).",
    ),
    ("email", "Used for confirmation and reminder e-mails. Checked when present."),
    ("address", "Service address. Full street address with ZIP code recommended for routing."),
    (
        "appliance_type",
        "One of " + ", ".join(DEFAULT_APPLIANCE_TYPES) + ". Matched without regard to case, "
        "with common synonyms (fridge, stove, washing machine...). Anything else is booked as "
        "Other with your text kept for the dispatcher: a booking is never refused for this.",
    ),
    ("issue", "The customer's description of the problem, free-form."),
    (
        "scheduled_date",
        "ISO date YYYY-MM-DD: today or later on the shop's own clock (its time zone), and within "
        "how far ahead the shop takes bookings (60 days unless the shop says otherwise).",
    ),
    (
        "time_slot",
        "AM (8am-12pm), PM (12pm-5pm) in any case, or a start time like 10:00 (24-hour; "
        "10:00 AM also works). A time between start times means the next one. Omitted: the "
        "earliest start with room that day.",
    ),
    ("source", "Free-form tag for your platform (e.g. ahs, cinch, angi, your domain)."),
    ("work_order_number", "Your platform's WO#, shown in the dispatcher view."),
    ("claim_number", "Warranty claim ID, if applicable."),
    ("authorization_number", "Pre-auth dollar amount or auth code."),
]

# Beyond the public schema: only with a partner key whose account may write them; sent without
# that right they are refused with 403 field_not_allowed, never dropped.
PARTNER_FIELD_NOTES = [
    ("status", "Partner key only: scheduled (default) or confirmed."),
    ("priority", "Partner key only: normal (default) or urgent."),
    ("dispatcher_notes", "Partner key only: notes for the shop's dispatcher."),
    ("partner_reference", "Partner key only: your own reference for the job."),
    (
        "duration_minutes",
        "Partner key only: the job's length, 15 to 720 minutes (default: the shop's length for "
        "the appliance). A shop with technicians keeps one free for that long.",
    ),
    (
        "allow_overbook",
        "Partner key only, where the shop allows it: true books the requested start even when "
        "it is full.",
    ),
]

ERRORS = [
    (400, "missing_field", "A required field is missing or blank: Missing required field: phone."),
    (
        400,
        "invalid_field",
        "A field is malformed or over its length; a number, true/false, list or object where "
        "the field reference says string; a line break in a one-line field, or a control or "
        "invisible character (tab, ESC, a direction override, a zero-width space) in any text; "
        "the date is past or beyond the shop's horizon; the time is outside the shop's hours. "
        "field names the input at fault.",
    ),
    (
        400,
        "no_availability",
        "No availability on requested date: a non-working day, a closure, or every start time "
        "full. next_available_date names the first day with room (null if none within the "
        "shop's horizon): retry with that date.",
    ),
    (400, "outside_service_area", "The address's ZIP code is outside the shop's service area."),
    (
        400,
        "malformed_body",
        "The body is not valid JSON (or form data), is JSON but not an object, nests deeper "
        "than 32 levels, names a field twice, or is not valid UTF-8.",
    ),
    (
        400,
        "invalid_idempotency_key",
        "The Idempotency-Key header is empty, longer than 255 characters, or not printable ASCII.",
    ),
    (
        401,
        "unauthorized",
        "The Authorization header is not Bearer <key>, or the key is unknown, revoked or its "
        "account inactive, or it was sent in an X-Api-Key header instead; or an endpoint that "
        "needs a partner key got none.",
    ),
    (
        403,
        "field_not_allowed",
        "A field beyond the public schema sent without a partner key, or one your key may not "
        "write; field names it.",
    ),
    (403, "forbidden", "Your partner key belongs to another shop than the slug."),
    (
        404,
        "not_found",
        "The slug doesn't match any active ApplianceOps shop; or no booking of your account has "
        "that booking_id.",
    ),
    (404, "booking_disabled", "The shop has turned online booking off."),
    (405, "method_not_allowed", "A method the endpoint does not take."),
    (
        409,
        "idempotency_conflict",
        "A request with the same Idempotency-Key is still being processed: retry after "
        "Retry-After (1 second) to get its answer.",
    ),
    (409, "not_cancellable", "The booking is already cancelled or completed."),
    (409, "not_movable", "Only a scheduled or confirmed booking can be moved."),
    (413, "payload_too_large", "The body is larger than the limit (a booking is far below it)."),
    (415, "unsupported_media_type", "Send application/json (or form-encoded data)."),
    (
        422,
        "idempotency_key_reused",
        "The Idempotency-Key was used before with a different request (another body or "
        "endpoint). A retry repeats the first request exactly; a new request needs a new key.",
    ),
    (
        429,
        "rate_limited",
        "Rate limit exceeded. Retry after N minutes. The Retry-After header gives the seconds.",
    ),
    (500, "server_error", "Server error. Nothing was written: safe to retry with backoff."),
]


def _example_date(today: dt.date) -> dt.date:
    """A weekday a week or more ahead, so the examples book as written."""
    day = today + dt.timedelta(days=7)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# The contract's cURL example, its date left to the caller (the contract's own is long past).
CONTRACT_EXAMPLE = {
    "slug": DEMO_SLUG,
    "name": "Jane Smith",
    "phone": "+15551234567",
    "email": "jane@example.com",
    "address": "123 Main St, Lancaster CA 93534",
    "appliance_type": "Refrigerator",
    "issue": "Not cooling.",
    "scheduled_date": "",
    "time_slot": "AM",
    "source": "ahs",
}


def example_body(today: dt.date) -> dict:
    """The contract's example booking with a date that is still ahead."""
    return {**CONTRACT_EXAMPLE, "scheduled_date": _example_date(today).isoformat()}


def _fields(field_notes: list[tuple[str, str]]) -> list[dict]:
    serializer_fields = BookingCreateApi.InputSerializer().fields
    rows = []
    for name, notes in field_notes:
        cap = getattr(serializer_fields[name], "max_length", None)
        rows.append({"name": name, "required": name in REQUIRED_FIELDS, "cap": cap, "notes": notes})
    return rows


@require_safe
def api_docs(request):
    endpoint = request.build_absolute_uri(reverse("api-booking-book"))
    body = example_body(dt.date.today())
    context = {
        "endpoint": endpoint,
        "host": request.build_absolute_uri("/").rstrip("/"),
        "bookings_url": request.build_absolute_uri(reverse("api-booking-list")),
        "availability_url": request.build_absolute_uri(reverse("api-booking-availability")),
        "schema_url": request.build_absolute_uri(reverse("api-schema")),
        "key_hours": settings.IDEMPOTENCY_KEY_HOURS,
        "fields": _fields(FIELD_NOTES),
        "partner_fields": _fields(PARTNER_FIELD_NOTES),
        "errors": ERRORS,
        "requests_per_hour": settings.PUBLIC_REQUESTS_PER_HOUR,
        "bookings_per_hour": settings.PUBLIC_BOOKINGS_PER_HOUR,
        "rate_limit_hint": ratelimits.PARTNER_KEY_HINT,
        "example_body": body,
        "example_json": json.dumps(body, indent=2),
        "example_js": _js_object(body),
        "example_py": _py_dict(body),
    }
    return render(request, "api/docs.html", context)


def _js_object(body: dict) -> str:
    lines = [f"    {key}: {json.dumps(value)}," for key, value in body.items()]
    return "\n".join(lines).replace('"', "'")


def _py_dict(body: dict) -> str:
    lines = [f"        {json.dumps(key)}: {json.dumps(value)}," for key, value in body.items()]
    return "\n".join(lines).replace('"', "'")
