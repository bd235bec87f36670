from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from booking.tests.helpers import TUESDAY, book
from schedulerAccounts.models import PortalAgent, SchedulerAccount
from tenants.middleware import shop_time_zone
from tenants.models import Membership
from tenants.tests.factories import MembershipFactory, UserFactory

# 06:00 in Los Angeles is 14:00 UTC: the server's clock and the shop's disagree.
pytestmark = pytest.mark.usefixtures("monday_morning")


def test_the_booking_page_says_when_it_was_booked_on_the_shops_clock(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "AM")
    client.force_login(bob)

    html = client.get(f"/admin/booking/booking/{booking.pk}/change/").content.decode()

    assert "Dec. 7, 2026, 6 a.m." in html
    assert "2 p.m." not in html


def test_charlie_reads_his_e_mail_log_on_his_own_shops_clock(client, charlie, shop_b):
    book(shop_b, TUESDAY, "AM")
    client.force_login(charlie)

    html = client.get("/admin/booking/notification/").content.decode()

    # Shop B is in New York: 14:00 UTC is 9 a.m. there.
    assert "Dec. 7, 2026, 9 a.m." in html


def test_a_partner_agent_has_the_zone_of_the_accounts_shop(shop_b):
    agent = UserFactory(username="agent")
    account = SchedulerAccount.objects.create(shop=shop_b, name="Acme", source_tag="acme")
    PortalAgent.objects.create(account=account, user=agent)

    assert str(shop_time_zone(agent)) == "America/New_York"


def test_someone_at_shops_in_two_zones_keeps_the_servers_clock(alice, shop_b):
    MembershipFactory(user=alice, shop=shop_b, role=Membership.Role.DISPATCHER)

    assert shop_time_zone(alice) is None


def test_a_visitor_has_no_shop_zone(db):
    assert shop_time_zone(AnonymousUser()) is None
