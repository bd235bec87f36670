"""The migration to portal agents keeps every account's existing portal login working."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scheduler_accounts", "0001_initial"), ("booking", "0004_booking_possible_duplicates")]
AFTER = [("scheduler_accounts", "0002_portal_agents"), ("booking", "0005_booking_portal_agent")]


@pytest.fixture
def back_to_the_latest_schema():
    yield
    # Later migrations (other apps', or newer ones) must be there for the tests after this one.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_an_accounts_one_portal_login_becomes_its_first_agent(back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    shop = old.get_model("tenants", "Shop").objects.create(name="Old Shop", slug="old-shop")
    user = old.get_model("auth", "User").objects.create(username="old-agent")
    Account = old.get_model("scheduler_accounts", "SchedulerAccount")
    with_login = Account.objects.create(shop=shop, name="With", source_tag="with", user=user)
    Account.objects.create(shop=shop, name="Without", source_tag="without")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    agents = new.get_model("scheduler_accounts", "PortalAgent").objects.all()
    assert [(a.account_id, a.user_id) for a in agents] == [(with_login.pk, user.pk)]
