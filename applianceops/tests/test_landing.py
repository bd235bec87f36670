from __future__ import annotations


def test_the_landing_page_says_what_applianceops_is_and_links_the_three_doors(client, db):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Booking and dispatch for appliance-repair shops" in html
    assert 'href="/book/done-right-appliance"' in html
    assert 'href="/admin/"' in html
    assert 'href="/api/docs"' in html


def test_an_unknown_page_gets_the_sites_404_page(client, db):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="/"' in response.content.decode()
