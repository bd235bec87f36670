from __future__ import annotations

import gzip
import re

from django.core.management import call_command
from django.test import Client

from booking.tests.helpers import contract_body, page_url, post_booking

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_the_booking_page_is_gzipped_for_a_browser_that_accepts_it(client, shop_a):
    response = client.get(page_url(shop_a), HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content).decode()
    assert shop_a.name in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_booking_page_is_plain_for_a_client_that_does_not_ask(client, shop_a):
    response = client.get(page_url(shop_a))

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert shop_a.name in response.content.decode()


def test_two_compressed_pages_differ_in_token_and_length_padding(client, shop_a):
    # BREACH: the CSRF token is masked afresh each time, and the gzip header is padded.
    pages = [client.get(page_url(shop_a), HTTP_ACCEPT_ENCODING="gzip").content for _ in range(8)]
    tokens = {
        re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', gzip.decompress(page)).group(1)
        for page in pages
    }

    assert len(tokens) == 8
    assert len({len(page) for page in pages}) > 1


def test_static_files_keep_their_hashed_long_cache_names_and_precompressed_copies(
    settings, shop_a, tmp_path
):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    call_command("collectstatic", "--noinput", verbosity=0)

    page = Client().get(page_url(shop_a), HTTP_ACCEPT_ENCODING="gzip")

    html = gzip.decompress(page.content)
    css = re.search(rb'href="/static/(css/booking\.[0-9a-f]{12}\.css)"', html)
    assert css, "the page links the stylesheet by its hashed, long-cache name"
    assert (tmp_path / f"{css.group(1).decode()}.gz").exists(), "WhiteNoise serves this copy"


def test_a_partner_api_answer_stays_plain_json_even_when_gzip_is_accepted(api_client, shop_a):
    response = post_booking(api_client, contract_body(shop_a), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 201
    assert not response.has_header("Content-Encoding")
    assert response.json()["success"] is True
