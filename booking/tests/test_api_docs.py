"""GET /api/docs: the partner contract as a page, with our host and our extra fields."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.api_docs import ERRORS, PARTNER_FIELD_NOTES


@pytest.fixture
def docs(client, db):
    return client.get("/api/docs")


def test_it_is_an_html_page(docs):
    assert docs.status_code == 200
    assert docs["Content-Type"].startswith("text/html")
    assert "<h1>Partner Booking API</h1>" in docs.content.decode()


def test_a_head_request_is_answered_like_a_get(client, db):
    response = client.head("/api/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_it_lists_the_fields_a_partner_key_may_write(docs):
    page = html.unescape(docs.content.decode())

    assert "Fields for a partner key" in page
    for name, notes in PARTNER_FIELD_NOTES:
        assert f"<code>{name}</code>" in page
        assert notes in page
    assert "403 field_not_allowed" in page


def test_the_examples_use_our_host(docs):
    page = docs.content.decode()

    assert "curl -X POST http://testserver/api/booking/book" in page
    assert "fetch('http://testserver/api/booking/book'" in page
    assert "requests.post(\n    'http://testserver/api/booking/book'" in page
    assert "applianceops.pro/api" not in page


def test_it_links_the_openapi_schema(docs):
    assert 'href="http://testserver/api/schema"' in docs.content.decode()


def test_every_field_is_listed_with_its_cap(docs):
    rows = {field["name"]: field for field in docs.context["fields"]}

    assert list(rows) == [
        "slug",
        "name",
        "phone",
        "email",
        "address",
        "appliance_type",
        "issue",
        "scheduled_date",
        "time_slot",
        "source",
        "work_order_number",
        "claim_number",
        "authorization_number",
    ]
    assert rows["issue"]["cap"] == 2000
    assert rows["phone"]["required"] is True
    assert rows["email"]["required"] is False


def test_it_documents_our_extra_response_fields_and_error_codes(docs):
    page = docs.content.decode()

    for text in (
        "reassigned",
        "requested_time_slot",
        "the first name of the technician",
        "missing_field",
        "no_availability",
        "rate_limited",
        "server_error",
        "100 requests an hour",
        "5 successful bookings an hour",
        "No availability on requested date",
    ):
        assert text in page, text


def test_the_rate_limits_are_the_configured_ones(client, db, settings):
    settings.PUBLIC_REQUESTS_PER_HOUR = 250
    settings.PUBLIC_BOOKINGS_PER_HOUR = 7

    page = client.get("/api/docs").content.decode()

    assert "250 requests an hour" in page and "7 successful bookings an hour" in page


def test_the_429_and_the_quota_headers_are_documented_as_the_api_sends_them(
    client, shop_a, api_client, settings
):
    settings.PUBLIC_REQUESTS_PER_HOUR = 1
    api_client.post("/api/booking/book", {}, format="json")
    refused = api_client.post("/api/booking/book", {}, format="json")
    page = html.unescape(client.get("/api/docs").content.decode())

    assert refused.status_code == 429
    body = refused.json()
    assert re.fullmatch(r"Rate limit exceeded\. Retry after \d+ minutes?\.", body["error"])
    assert '"error": "Rate limit exceeded. Retry after N minutes."' in page
    assert f'"code": "{body["code"]}"' in page
    assert f'"hint": "{body["hint"]}"' in page
    for header in ("Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
        assert header in refused, header
        assert f"<code>{header}</code>" in page, header


def test_the_example_books_as_written_against_the_demo_shop(client, docs, api_client):
    call_command("seed_demo", stdout=StringIO())

    response = api_client.post("/api/booking/book", docs.context["example_body"], format="json")

    assert response.status_code == 201, response.json()


def test_the_landing_page_links_the_docs(client, db):
    landing = client.get("/").content.decode()

    assert re.search(r'href="/api/docs"', landing)


def test_a_trailing_slash_works_too(client, db):
    assert client.get("/api/docs/").status_code == 200


def test_only_get_is_answered(client, db):
    assert client.post("/api/docs").status_code == 405


@pytest.mark.browser
def test_the_docs_read_on_a_phone_without_sideways_scrolling(live_server, phone_page):
    phone_page.goto(live_server.url + "/api/docs")

    assert phone_page.get_by_role("heading", name="Partner Booking API").is_visible()
    assert does_not_fit(phone_page) == []
    screenshot(phone_page, "api-docs-phone")
    phone_page.locator("#rate-limits").scroll_into_view_if_needed()
    assert phone_page.get_by_role("cell", name="RateLimit-Remaining").is_visible()
    screenshot(phone_page, "api-docs-rate-limits-phone")


@pytest.mark.browser
def test_the_docs_are_reached_from_the_landing_page(live_server, desktop_page):
    desktop_page.goto(live_server.url + "/")
    desktop_page.get_by_role("link", name="Partner Booking API").click()

    desktop_page.wait_for_url("**/api/docs")
    assert live_server.url + "/api/booking/book" in desktop_page.content()
    screenshot(desktop_page, "api-docs-desktop")


# --- Everything issue 13 and 18 added ------------------------------------------------------


def test_every_error_code_is_in_the_table(docs):
    rows = {(status, code) for status, code, _ in docs.context["errors"]}

    assert rows == {(status, code) for status, code, _ in ERRORS}
    for _, code, _ in ERRORS:
        assert f"<code>{code}</code>" in docs.content.decode(), code


def test_every_endpoint_is_documented_with_our_host(docs):
    page = html.unescape(docs.content.decode())

    for text in (
        "GET http://testserver/api/booking/availability?slug=<slug>&date=YYYY-MM-DD&days=N",
        "curl 'http://testserver/api/booking/availability?slug=done-right-appliance",
        "GET http://testserver/api/booking/<booking_id>",
        "GET http://testserver/api/booking?work_order_number=&status=&updated_since=",
        "POST http://testserver/api/booking/<booking_id>/reschedule",
        "POST http://testserver/api/booking/<booking_id>/cancel",
        "-H 'Idempotency-Key: 8e03978e-40d5-43e8-bc93-6894a57f9324'",
    ):
        assert text in page, text


def test_safe_retries_are_explained_with_their_answers(docs):
    page = html.unescape(docs.content.decode())
    section = page[page.index('id="safe-retries"') : page.index('id="availability"')]

    for text in (
        "Idempotent-Replayed: true",
        "idempotency_key_reused",
        "idempotency_conflict",
        "Retry-After: 1",
        "kept 24 hours",
        '"duplicate": true',
        "work_order_number",
    ):
        assert text in section, text


def test_the_generate_a_client_section_gives_both_commands(docs):
    page = html.unescape(docs.content.decode())
    section = page[page.index('id="generate-a-client"') : page.index('id="openapi"')]

    assert "openapi-python-client generate --url 'http://testserver/api/schema?format=json'" in (
        section
    )
    assert "npx openapi-typescript 'http://testserver/api/schema?format=json' -o schema.d.ts" in (
        section
    )


def test_the_python_retry_example_books_as_written(client, live_server, shop_a):
    """The Safe retries example from the page, with a booking of ours: it sends its key."""
    from booking.models import Booking, IdempotencyRecord
    from booking.tests.helpers import contract_body

    page = html.unescape(client.get("/api/docs").content.decode())
    example = re.search(r"import uuid, requests.*?uuid4\(\)\)\}\)", page, re.S).group(0)
    script = f"booking = {contract_body(shop_a)!r}\n{example}\nprint(r.status_code)"
    script = script.replace("http://testserver", live_server.url)

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == "201", result.stderr
    assert Booking.objects.count() == IdempotencyRecord.objects.count() == 1
