"""The e-mail worker outlives a PostgreSQL restart: it reconnects and carries on sending.

A throwaway cluster on a free port (never the machine's own PostgreSQL), restarted under a
running `manage.py db_worker`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from faults.throwaway import ThrowawayPostgres, postgres_available

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not postgres_available(), reason="needs PostgreSQL 15's initdb and pg_ctl"),
    # The cluster is its own whatever the suite runs on: one pass (the PostgreSQL one) is enough.
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of the suite"
    ),
]

BOOK = """
import datetime as dt
from booking import slots
from booking.services import Customer, Job, booking_create
from tenants.models import Shop
from tenants.services import shop_create
shop = Shop.objects.filter(slug="restart-shop").first() or shop_create(
    name="Restart Appliance", slug="restart-shop", notification_email="desk@example.com",
    weekdays=[0, 1, 2, 3, 4, 5, 6],
)
booking_create(
    shop=shop,
    customer=Customer(
        name="{name}", phone="+16615550199", address="1 Main St", email="c@example.com"
    ),
    job=Job(appliance_type="Refrigerator"),
    slot_request=slots.SlotRequest(date=shop.today() + dt.timedelta(days=3)),
    source="ahs",
    channel="api",
)
"""


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=180)


def _messages(folder: Path) -> list[str]:
    """Every e-mail the file backend wrote. It writes one file per connection, named by the
    second and the backend object's id(), so two connections in one second can share a file:
    count the messages (each ends in a line of 79 dashes), not the files."""
    return [
        message
        for path in sorted(folder.glob("*.log"))
        for message in path.read_text().split("-" * 79)
        if message.strip()
    ]


def _wait_for_mails(folder: Path, count: int, worker: subprocess.Popen) -> list[str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sent = _messages(folder)
        if len(sent) >= count or worker.poll() is not None:
            return sent
        time.sleep(0.2)
    return _messages(folder)


def _mails_to(sent: list[str], name: str) -> int:
    return sum(name in message for message in sent)


@pytest.fixture
def cluster():
    postgres = ThrowawayPostgres().start()
    yield postgres
    postgres.destroy()


def test_the_worker_sends_after_postgresql_restarts_under_it(cluster, tmp_path):
    mail = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": cluster.create_database("faults_worker"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    _manage(env, "migrate", "--noinput", "-v", "0")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
    )
    try:
        _manage(env, "shell", "-c", BOOK.format(name="Before Restart"))
        # The customer's confirmation and the shop's alert.
        assert _mails_to(_wait_for_mails(mail, 2, worker), "Before Restart") == 2

        # Down for longer than the connection pool waits for a connection (10 s), as a restart
        # with a long checkpoint or a fail-over is: the worker polls five times a second, so it
        # meets its dead connection and then refused ones before there is work again.
        cluster.stop()
        time.sleep(12)
        cluster.start()
        _manage(env, "shell", "-c", BOOK.format(name="After Restart"))

        sent = _wait_for_mails(mail, 4, worker)
        assert worker.poll() is None, "the worker exited when PostgreSQL restarted"
        assert _mails_to(sent, "After Restart") == 2
        assert _mails_to(sent, "Before Restart") == 2
    finally:
        worker.terminate()
        worker.wait(timeout=30)
