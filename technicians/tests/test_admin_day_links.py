"""The technician's admin page: the day link and feed to send them, and reissuing both."""

from __future__ import annotations

import pytest

from technicians.links import day_path, day_url, feed_url
from technicians.models import Technician
from technicians.tests.helpers import ann_of

pytestmark = pytest.mark.usefixtures("monday_morning")


def change_url(technician) -> str:
    return f"/admin/technicians/technician/{technician.pk}/change/"


def reissue_url(technician) -> str:
    return f"/admin/technicians/technician/{technician.pk}/reissue-links/"


@pytest.fixture
def ann(shop_a):
    return ann_of(shop_a)


def test_the_owner_sees_the_day_link_and_feed_to_send(client, alice, ann):
    client.force_login(alice)

    html = client.get(change_url(ann)).content.decode()

    assert "Day page and calendar feed" in html
    assert f'href="{day_url(ann)}"' in html
    assert feed_url(ann) in html
    assert ">Reissue day link and feed</button>" in html


def test_the_owner_reissues_and_the_old_links_stop_working(client, alice, ann):
    old_day, old_feed = day_path(ann), feed_url(ann)
    client.force_login(alice)

    response = client.post(reissue_url(ann), follow=True)

    ann.refresh_from_db()
    html = response.content.decode()
    assert "New day link and calendar feed for Ann Lee" in html
    assert f'href="{day_url(ann)}"' in html and old_day not in html
    client.logout()
    assert client.get(old_day).status_code == 404
    assert client.get(old_feed).status_code == 404
    assert client.get(day_path(ann)).status_code == 200


def test_a_dispatcher_sees_the_links_but_cannot_reissue_them(client, bob, ann):
    key = ann.link_key
    client.force_login(bob)

    html = client.get(change_url(ann)).content.decode()
    response = client.post(reissue_url(ann))

    assert f'href="{day_url(ann)}"' in html
    assert "Reissue day link" not in html
    assert response.status_code == 403
    assert Technician.objects.get(pk=ann.pk).link_key == key


def test_charlie_can_neither_see_nor_reissue_shop_as_links(client, charlie, ann):
    key = ann.link_key
    client.force_login(charlie)

    assert client.get(change_url(ann)).status_code == 404
    assert client.post(reissue_url(ann)).status_code == 404
    assert Technician.objects.get(pk=ann.pk).link_key == key


def test_reissuing_needs_a_post(client, alice, ann):
    client.force_login(alice)

    assert client.get(reissue_url(ann)).status_code == 405
