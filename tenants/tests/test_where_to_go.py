"""manage.py where_to_go: what `make run` prints last, once the server listens."""

from __future__ import annotations

import socket
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def where_to_go(*args: str) -> str:
    out = StringIO()
    call_command("where_to_go", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_pages_logins_and_the_kept_partner_key_last(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    seeded = StringIO()
    call_command("seed_demo", "--quiet", stdout=seeded)
    assert len(seeded.getvalue().splitlines()) == 1, "seed_demo --quiet: one line"

    lines = where_to_go().splitlines()

    text = "\n".join(lines)
    assert "http://127.0.0.1:8000/book/done-right-appliance" in text
    assert "http://127.0.0.1:8000/admin/" in text and "owner / demo-owner-pass" in text
    assert "partner / demo-partner-pass" in text
    assert lines[-1] == open(settings.DEMO_PARTNER_KEY_FILE).read().strip()
    assert lines[-1].startswith("ao_live_")


def test_it_waits_until_the_server_listens(settings):
    call_command("seed_demo", "--quiet", stdout=StringIO())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def listen_soon():
        time.sleep(0.5)
        server.bind(("127.0.0.1", port))
        server.listen()

    starter = threading.Thread(target=listen_soon)
    starter.start()
    try:
        output = where_to_go("--wait-for", f"127.0.0.1:{port}", "--timeout", "20")
        starter.join()
        server.settimeout(5)
        knocked, _ = server.accept()  # it connected to the server before it printed
        knocked.close()
    finally:
        starter.join()
        server.close()

    assert "Booking page:" in output


def test_without_a_server_it_gives_up_quietly_after_the_timeout(settings):
    call_command("seed_demo", "--quiet", stdout=StringIO())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert where_to_go("--wait-for", f"127.0.0.1:{port}", "--timeout", "0.5") == ""


def test_before_seed_demo_it_says_what_to_run():
    with pytest.raises(CommandError, match="seed_demo"):
        where_to_go()
