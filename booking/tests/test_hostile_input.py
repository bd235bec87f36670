"""Hostile input at every door: refused in words, and nothing written.

One row per attack: the door it is sent to, what is sent, and what must come back: the API's
4xx JSON error ({"error", "code"[, "field"]}), a form error that names the field, or a page
that says what was wrong (a 400 page, or the admin's list and calendar saying a date is out of
range). Every row also checks that nothing was written: no booking, no e-mail,
no seat taken, and the booking already there (the admin's change form edits it) unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

import pytest
from django.test import Client
from rest_framework.test import APIClient

from booking.models import Booking, Notification, SeatCounter
from booking.self_service import self_service_token
from booking.tests.helpers import (
    BOOK_API,
    TUESDAY,
    bearer,
    book,
    change_data,
    contract_body,
    form_data,
    jane_visit,
    page_url,
)

pytestmark = pytest.mark.usefixtures("monday_morning")

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
ADMIN = "/admin/booking/booking/"


class Doors:
    """A client at each door, and a booking for the admin's change form to edit. The clients
    that sign in are made on first use: a sign-in costs a password hash."""

    def __init__(self, request, shop):
        self._request = request
        self.shop = shop
        self.api = APIClient()
        self.page = Client()
        self.booking = book(shop, TUESDAY, "AM")

    @cached_property
    def account(self):
        """Account A, allowed to write two extra fields, and its key."""
        account, key = self._request.getfixturevalue("account_a")
        account.allowed_fields = ["dispatcher_notes", "partner_reference"]
        account.save()
        return account, key

    @property
    def key(self) -> str:
        return self.account[1]

    @cached_property
    def portal(self) -> Client:
        client = Client()
        client.force_login(self.account[0].agents.get().user)
        return client

    @cached_property
    def admin(self) -> Client:
        client = Client()
        client.force_login(self._request.getfixturevalue("alice"))
        return client


@pytest.fixture
def doors(request, shop_a):
    return Doors(request, shop_a)


def written():
    """Everything a door could have written: bookings (whole rows), e-mails, seats."""
    return (
        list(Booking.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values_list("pk", flat=True)),
        list(SeatCounter.objects.order_by("pk").values_list("pk", "booked")),
    )


# --- What is sent, door by door -------------------------------------------------------------


def form_encoded(fields: dict) -> str:
    """`fields` as a browser encodes a form; a bytes value goes as those very bytes (%FF)."""
    return "&".join(
        f"{quote(name)}={quote(value if isinstance(value, bytes) else str(value), safe='')}"
        for name, value in fields.items()
    )


def multipart(fields: dict) -> tuple[bytes, str]:
    """`fields` as multipart/form-data; a bytes value goes as those very bytes."""
    parts = [
        b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode(), value if isinstance(value, bytes) else str(value).encode())
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--B--\r\n", "multipart/form-data; boundary=B"


def api_body(env, sent: tuple[str | bytes, str]):
    """A raw body with its Content-Type."""
    body, content_type = sent
    return env.api.generic("POST", BOOK_API, body, content_type=content_type)


def api_json(env, fields: dict, **headers):
    # json.dumps, not the test client's renderer: it escapes a lone surrogate as JSON may.
    body = json.dumps(contract_body(env.shop, **fields))
    return env.api.generic("POST", BOOK_API, body, content_type=JSON, **headers)


def api_json_with_key(env, fields: dict):
    return api_json(env, fields, **bearer(env.key))


def api_json_twice(env, name: str):
    """The contract's body with the field `name` sent a second time."""
    body = json.dumps(contract_body(env.shop))[:-1] + f", {json.dumps(name)}: " + '"again"}'
    return env.api.generic("POST", BOOK_API, body, content_type=JSON)


def api_form(env, fields: dict):
    body = form_encoded(contract_body(env.shop) | fields)
    return env.api.generic("POST", BOOK_API, body, content_type=FORM)


def api_form_twice(env, name: str):
    body = form_encoded(contract_body(env.shop)) + f"&{name}=again"
    return env.api.generic("POST", BOOK_API, body, content_type=FORM)


def booking_page(env, fields: dict):
    body = form_encoded(form_data(env.shop) | fields)
    return env.page.post(page_url(env.shop), body, content_type=FORM)


def booking_page_multipart(env, fields: dict):
    body, content_type = multipart(form_data(env.shop) | fields)
    return env.page.post(page_url(env.shop), body, content_type=content_type)


def booking_page_query(env, query: str):
    """The booking form, sent to the page's address with `query` (a shop's ?source= link)."""
    return env.page.post(page_url(env.shop, query), form_data(env.shop))


def portal(env, fields: dict):
    typed = {"phone": "(661) 555-0123", "appliance_type": "Washer", "time_slot": "pm"}
    body = form_encoded(jane_visit(env.shop, **typed) | fields)
    return env.portal.post("/scheduler/", body, content_type=FORM)


def admin_add(env, fields: dict):
    typed = {
        "shop": env.shop.pk,
        "customer_name": "Phone Caller",
        "phone": "+16615550111",
        "address": "9 Elm St, Lancaster CA 93534",
        "appliance_type": "Refrigerator",
        "scheduled_date": TUESDAY.isoformat(),
        "time_slot": "pm",
        "priority": "normal",
        "_save": "Save",
    }
    return env.admin.post(f"{ADMIN}add/", form_encoded(typed | fields), content_type=FORM)


def admin_change(env, fields: dict):
    body = form_encoded(change_data(env.booking, **fields))
    return env.admin.post(f"{ADMIN}{env.booking.pk}/change/", body, content_type=FORM)


def self_service_reschedule(env, move: str):
    token = self_service_token(env.booking)
    return env.page.post(f"/b/{token}/reschedule", {"move": move}, follow=True)


def availability(env, query: str):
    return env.page.get(page_url(env.shop, f"/availability{query}"))


def admin_list(env, query: str):
    return env.admin.get(f"{ADMIN}{query}", follow=True)


def admin_export(env, query: str):
    return env.admin.get(f"{ADMIN}export/{query}", follow=True)


def admin_calendar(env, query: str):
    return env.admin.get(f"{ADMIN}calendar/{query}")


# --- What must come back --------------------------------------------------------------------


@dataclass(frozen=True)
class Json:
    """The API's error shape, with the field at fault when there is one."""

    status: int
    code: str
    field: str | None = None
    says: str = ""

    def check(self, response) -> None:
        assert response.status_code == self.status, response.content
        body = response.json()
        assert set(body) <= {"error", "code", "field"}
        assert (body["code"], body.get("field")) == (self.code, self.field), body
        assert self.says in body["error"], body


@dataclass(frozen=True)
class FormError:
    """The form again, with an error beside `field` that says `says`."""

    field: str
    says: str

    def check(self, response) -> None:
        context = response.context
        form = context["adminform"].form if "adminform" in context else context["form"]
        assert self.says in " ".join(form.errors.get(self.field, [])), form.errors.as_data()


@dataclass(frozen=True)
class Page:
    """A page (after any redirect) that says `says`."""

    status: int
    says: str

    def check(self, response) -> None:
        assert response.status_code == self.status
        assert self.says in response.content.decode()


MALFORMED = "malformed_body"
INVALID = "invalid_field"
UNREADABLE = Page(400, "We could not read what was sent")
DEEP = "[" * 5000 + "]" * 5000
NOT_UTF8 = b"J\xffane"


def row(door, sent, expected, id):
    return pytest.param(door, sent, expected, id=id)


def not_a_string(field: str, value) -> pytest.param:
    return row(
        api_json,
        {field: value},
        Json(400, INVALID, field, f"{field} must be a string"),
        f"api-{field}-{type(value).__name__}",
    )


def _odd_one(value: str) -> str:
    """The first character of `value` that is not printable ASCII, as U+XXXX."""
    return next(f"U+{ord(c):04X}" for c in value if not (c.isascii() and c.isprintable()))


def _refused(door, field: str, value: str, says: str) -> pytest.param:
    expected = Json(400, INVALID, field, says) if door in API_DOORS else FormError(field, says)
    return row(door, {field: value}, expected, f"{door.__name__}-{field}-{_odd_one(value)}")


def line_break(door, field: str, named: str, value="Jane\r\nPhone: +1 555 0100") -> pytest.param:
    """`field` sent with a line break; the error names the field as `named`."""
    return _refused(door, field, value, f"{named} cannot contain a line break")


def hidden(door, field: str, value: str, named: str) -> pytest.param:
    """`field` sent with an invisible or control character; the error names the field as
    `named`, and the character."""
    character = _odd_one(value)
    says = f"{named} cannot contain an invisible or control character ({character})"
    return _refused(door, field, value, says)


API_DOORS = (api_json, api_json_with_key, api_form)

ROWS = [
    # -- Bodies the API cannot read as one set of fields
    row(api_body, (DEEP, JSON), Json(400, MALFORMED, says="nested more than 32"), "json-5000-deep"),
    row(
        api_body,
        ('{"slug": ' + '{"a": ' * 5000 + "1" + "}" * 5001, JSON),
        Json(400, MALFORMED, says="nested more than 32"),
        "json-object-5000-deep",
    ),
    row(api_body, (DEEP, FORM), Json(400, MALFORMED, says="nested"), "curl-d-5000-deep"),
    row(
        api_json_twice,
        "slug",
        Json(400, MALFORMED, says='"slug" is sent more than once'),
        "json-slug-twice",
    ),
    row(
        api_json_twice,
        "name",
        Json(400, MALFORMED, says='"name" is sent more than once'),
        "json-name-twice",
    ),
    row(
        api_form_twice,
        "slug",
        Json(400, MALFORMED, says='"slug" is sent more than once'),
        "form-slug-twice",
    ),
    row(api_body, ('{"name": NaN}', JSON), Json(400, MALFORMED, says="not valid JSON"), "nan"),
    row(
        api_body,
        ('{"slug": "x",', FORM),
        Json(400, MALFORMED, says="Send it with Content-Type: application/json"),
        "curl-d-broken-json",
    ),
    row(
        api_body,
        (b'{"slug": "done-right-appliance", "name": "J\xffane"}', JSON),
        Json(400, MALFORMED, says="not valid UTF-8"),
        "json-not-utf8",
    ),
    row(api_form, {"name": NOT_UTF8}, Json(400, MALFORMED, says="not valid UTF-8"), "form-%FF"),
    row(
        api_body,
        (b"slug=done-right-appliance&name=J\xffane", FORM),
        Json(400, MALFORMED, says="not valid UTF-8"),
        "form-raw-FF",
    ),
    row(
        api_body,
        ("&".join(f"f{n}=1" for n in range(1001)), FORM),
        Json(400, MALFORMED, says="more form fields"),
        "form-1001-fields",
    ),
    # -- Anything but a string where the contract says string
    not_a_string("name", 0),
    not_a_string("name", True),
    not_a_string("name", 1.5),
    not_a_string("name", ["Jane"]),
    not_a_string("name", {"first": "Jane"}),
    not_a_string("slug", 1),
    not_a_string("phone", 15551234567),
    not_a_string("address", 123),
    not_a_string("appliance_type", 7),
    not_a_string("issue", 5),
    not_a_string("time_slot", 10),
    not_a_string("source", False),
    not_a_string("work_order_number", 88123),
    not_a_string("claim_number", ["CL-1"]),
    not_a_string("authorization_number", 250.0),
    row(api_json, {"email": 1}, Json(400, INVALID, "email", "email must be"), "api-email-int"),
    row(
        api_json_with_key,
        {"dispatcher_notes": 5},
        Json(400, INVALID, "dispatcher_notes", "dispatcher_notes must be a string"),
        "api-key-dispatcher_notes-int",
    ),
    # -- Line breaks and invisible characters in one-line fields, at every door
    line_break(api_json, "name", "name"),
    line_break(api_json, "name", "name", "Jane\rSmith"),
    line_break(api_json, "name", "name", "Jane\u2028Smith"),
    line_break(api_json, "name", "name", "Jane\x85Smith"),
    line_break(api_json, "address", "address", "1 Main St\rLOCATION:x"),
    line_break(api_json, "slug", "slug", "done-right\r\nappliance"),
    line_break(api_json, "source", "source", "ahs\nBcc: x@example.com"),
    line_break(api_json, "work_order_number", "work_order_number", "WO-1\rX"),
    line_break(api_json_with_key, "partner_reference", "partner_reference", "R-1\nX"),
    line_break(api_form, "name", "name"),
    hidden(api_json, "name", "\u202eenaJ", "name"),
    hidden(api_json, "name", "\u2066Jane\u2069", "name"),
    hidden(api_json, "name", "\u200b", "name"),
    hidden(api_json, "name", "\ufeffJane", "name"),
    hidden(api_json, "name", "\u3164", "name"),
    hidden(api_json, "name", "Jane\x07", "name"),
    hidden(api_json, "name", "Jane\x7f", "name"),
    hidden(api_json, "name", "Jane\x00", "name"),
    hidden(api_json, "name", "Jane\ud800", "name"),
    hidden(api_json, "name", "Jane\U000e0041", "name"),
    hidden(api_json, "name", "\u200cJane", "name"),
    hidden(api_json, "name", "Jane \u200d", "name"),
    hidden(api_json, "work_order_number", "WO-1\tX", "work_order_number"),
    hidden(api_json, "email", "jane@exa\u202emple.com", "email"),
    hidden(api_json, "email", "jane@example.com\u200b", "email"),
    hidden(api_json, "issue", "Not cooling\x1b[2J", "issue"),
    hidden(api_json, "issue", "Not cooling\u2028Noisy", "issue"),
    hidden(api_json_with_key, "dispatcher_notes", "Call first\u202e", "dispatcher_notes"),
    hidden(api_form, "address", "1 Main St\u202e", "address"),
    line_break(booking_page, "name", "Your name"),
    line_break(booking_page, "address", "Service address"),
    hidden(booking_page, "name", "\u202eenaJ", "Your name"),
    hidden(booking_page, "name", "\u200b\u200b", "Your name"),
    hidden(booking_page, "email", "jane@exa\u202emple.com", "E-mail"),
    hidden(booking_page, "issue", "Not cooling\x1b[2J", "What's wrong?"),
    line_break(portal, "name", "Customer name"),
    line_break(portal, "address", "Service address"),
    hidden(portal, "work_order_number", "WO-1\x07", "WO#"),
    hidden(portal, "email", "jane@example.com\u200b", "E-mail"),
    hidden(portal, "issue", "Leaks\x1b", "Problem"),
    hidden(portal, "dispatcher_notes", "Gate code\u202e", "Dispatcher notes"),
    line_break(admin_add, "customer_name", "Customer name"),
    line_break(admin_add, "address", "Address"),
    hidden(admin_add, "email", "jane@exa\u202emple.com", "Email"),
    hidden(admin_add, "issue", "Leaks\x07", "Issue"),
    hidden(admin_add, "dispatcher_notes", "Gate\u2066code", "Dispatcher notes"),
    line_break(admin_change, "customer_name", "Customer name", "Jane\nSmith"),
    line_break(admin_change, "work_order_number", "WO#", "WO-1\rX"),
    hidden(admin_change, "address", "\u2066123 Main St", "Address"),
    hidden(admin_change, "issue", "Not cooling\x1b", "Issue"),
    # -- Form bodies that are not UTF-8, at every page
    row(booking_page, {"name": NOT_UTF8}, UNREADABLE, "page-not-utf8"),
    row(booking_page_multipart, {"name": NOT_UTF8}, UNREADABLE, "page-multipart-not-utf8"),
    row(booking_page_query, "?source=%FF", UNREADABLE, "page-query-not-utf8"),
    row(portal, {"name": NOT_UTF8}, UNREADABLE, "portal-not-utf8"),
    row(admin_add, {"customer_name": NOT_UTF8}, UNREADABLE, "admin-add-not-utf8"),
    row(admin_change, {"address": NOT_UTF8}, UNREADABLE, "admin-change-not-utf8"),
    # -- Dates at the ends of the calendar
    row(
        api_json,
        {"scheduled_date": "9999-12-31"},
        Json(400, INVALID, "scheduled_date", "too far ahead"),
        "api-year-9999",
    ),
    row(
        booking_page,
        {"scheduled_date": "9999-12-31"},
        FormError("scheduled_date", "That day cannot be booked"),
        "page-year-9999",
    ),
    row(
        self_service_reschedule,
        "9999-12-31:am",
        Page(200, "That day cannot be booked"),
        "self-service-year-9999",
    ),
    row(
        availability,
        "?date=9999-12-31",
        Json(400, INVALID, "date", "date is out of range"),
        "availability-9999",
    ),
    row(
        availability,
        "?date=0001-01-01",
        Json(400, INVALID, "date", "date is out of range"),
        "availability-0001",
    ),
    *[
        row(admin_list, query, Page(200, "is out of range: showing every date"), f"list{query}")
        for query in [
            "?scheduled_date__year=9999",
            "?scheduled_date__year=9999&scheduled_date__month=12",
            "?scheduled_date__year=9999&scheduled_date__month=12&scheduled_date__day=31",
            "?scheduled_date__year=99999999999999999999",
            "?scheduled_date__year=0",
        ]
    ],
    row(
        admin_export,
        "?scheduled_date__year=9999",
        Page(200, "is out of range: showing every date"),
        "export-year-9999",
    ),
    *[
        row(admin_calendar, query, Page(200, "is out of range: showing today"), f"calendar{query}")
        for query in [
            "?date=9999-12-31&view=month",
            "?date=9999-12-31&view=week",
            "?date=9999-12-31&view=day",
            "?date=0001-01-01&view=month",
        ]
    ],
]


@pytest.mark.parametrize("door, sent, expected", ROWS)
def test_hostile_input_is_refused_and_writes_nothing(doors, door, sent, expected):
    before = written()

    response = door(doors, sent)

    expected.check(response)
    assert written() == before


# --- What people really type is kept --------------------------------------------------------

LINES_SENT = "Not cooling.\r\nNoisy at night.\rSince Monday."
LINES_KEPT = "Not cooling.\nNoisy at night.\nSince Monday."
# Persian writes words with a zero-width non-joiner between letters, Devanagari conjuncts with
# a zero-width joiner after a virama; a pasted address often holds a no-break space.
PERSIAN = "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"
DEVANAGARI = "\u0905\u0915\u094d\u200d\u0937\u092f"


@pytest.mark.parametrize(
    "door, field, sent, stored",
    [
        (api_json, "issue", LINES_SENT, LINES_KEPT),
        (api_form, "issue", LINES_SENT, LINES_KEPT),
        (api_json_with_key, "dispatcher_notes", LINES_SENT, LINES_KEPT),
        (booking_page, "issue", LINES_SENT, LINES_KEPT),
        (portal, "issue", LINES_SENT, LINES_KEPT),
        (portal, "dispatcher_notes", LINES_SENT, LINES_KEPT),
        (admin_add, "issue", LINES_SENT, LINES_KEPT),
        (admin_add, "dispatcher_notes", LINES_SENT, LINES_KEPT),
        (admin_change, "issue", LINES_SENT, LINES_KEPT),
        (api_json, "name", PERSIAN, PERSIAN),
        (api_json, "name", DEVANAGARI, DEVANAGARI),
        (booking_page, "name", PERSIAN, PERSIAN),
        (api_json, "address", "1 Main St\u00a0Apt 4, Lancaster CA 93534", None),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_what_people_really_type_is_kept_with_one_kind_of_line_end(
    doors, door, field, sent, stored
):
    response = door(doors, {field: sent})

    assert response.status_code in (201, 302), getattr(response, "content", b"")[:500]
    booking = Booking.objects.exclude(pk=doors.booking.pk).first() or doors.booking
    booking.refresh_from_db()
    column = {"name": "customer_name"}.get(field, field)
    assert getattr(booking, column) == (sent if stored is None else stored)
