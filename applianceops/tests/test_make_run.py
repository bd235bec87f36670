"""`make run`: what it prints (seed_demo, from SITE_URL) is where the server listens."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run(*args: str, **env: str) -> str:
    """The commands `make run` would run, without running them."""
    # The caller's own settings (or a surrounding `make test`'s flags) must not leak in.
    ignored = {"SITE_URL", "HOST", "PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    base = {key: value for key, value in os.environ.items() if key not in ignored}
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_seed_demo_and_the_server_get_the_address_of_the_port_served():
    commands = dry_run("PORT=9123")

    assert 'SITE_URL="http://127.0.0.1:9123" .venv/bin/python manage.py seed_demo' in commands
    assert 'SITE_URL="http://127.0.0.1:9123" .venv/bin/python -m applianceops.supervise' in commands
    assert "manage.py runserver 127.0.0.1:9123" in commands


def test_the_worker_and_the_reminder_loop_run_as_watched_helpers_of_the_server():
    commands = dry_run()

    assert '--helper ".venv/bin/python manage.py db_worker --no-reload"' in commands
    assert '--helper ".venv/bin/python manage.py send_reminders --every 300"' in commands
    assert "-- .venv/bin/python manage.py runserver 127.0.0.1:8000" in commands
    # Nothing started beside the server with a bare `&`, which nobody would restart.
    assert " & " not in commands


def test_a_site_url_set_by_the_operator_wins():
    commands = dry_run(SITE_URL="https://book.example.com")

    assert 'SITE_URL="https://book.example.com" .venv/bin/python manage.py seed_demo' in commands
    assert "manage.py runserver 127.0.0.1:8000" in commands


def test_where_to_go_is_said_once_the_server_listens_after_its_start_up_lines():
    commands = dry_run("PORT=9123")

    assert "manage.py seed_demo --quiet" in commands
    assert '--once ".venv/bin/python manage.py where_to_go --wait-for 127.0.0.1:9123"' in commands
