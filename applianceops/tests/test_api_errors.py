"""An API client never gets HTML: errors Django answers itself under /api/ are JSON too."""

from __future__ import annotations

import pytest
from django.test import Client

URL = "/api/booking/book"


class ExplodingMiddleware:
    """Fails outside any view, where neither DRF's handler nor the view's code can help."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("middleware on fire")


@pytest.fixture
def exploding(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.ExplodingMiddleware"]
    client = Client()
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("debug", [False, True])
def test_a_middleware_failure_on_an_api_path_is_a_json_500(exploding, settings, db, debug):
    settings.DEBUG = debug

    response = exploding.post(URL, {}, content_type="application/json")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Server error", "code": "server_error"}


def test_a_middleware_failure_on_a_page_is_still_the_html_500_page(exploding, db):
    response = exploding.get("/book/done-right-appliance")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_api_path_is_json_with_debug_on(client, settings, db):
    settings.DEBUG = True

    response = client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found.", "code": "not_found"}


def test_a_bad_host_on_an_api_path_is_a_json_400_with_debug_on(client, settings, db):
    settings.DEBUG = True

    response = client.post(URL, {}, content_type="application/json", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json() == {"error": "Bad request.", "code": "invalid_request"}


def test_the_api_docs_page_stays_html(client, db):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_a_post_to_the_docs_page_is_a_json_405(client, db):
    response = client.post("/api/docs")

    assert response.status_code == 405
    assert response.json() == {"error": "Method not allowed.", "code": "method_not_allowed"}


def test_an_api_client_that_accepts_no_json_gets_a_json_406(api_client, db):
    response = api_client.post(URL, {}, format="json", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "Could not satisfy the request Accept header.",
        "code": "not_acceptable",
    }


def test_a_field_error_that_does_not_name_its_field_is_prefixed_with_it(api_client, db):
    body = {
        "slug": "any-shop",
        "name": "Jane Smith",
        "phone": "+15551234567",
        "address": "123 Main St, Lancaster CA 93534",
        "appliance_type": "Washer",
        "scheduled_date": "2030-01-02",
        "email": "j" * 64 + "@" + "e" * 186 + ".com",
    }

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "error": "Invalid email: Ensure this field has no more than 254 characters.",
        "code": "invalid_field",
        "field": "email",
    }
