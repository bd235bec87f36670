"""The browser tests on any machine: which Chromium they drive, and a suite that passes without
one, saying once how to get one (and fails under CI's REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from applianceops.tests import helpers
from applianceops.tests.helpers import HOW_TO_GET_CHROMIUM, ROOT, find_chromium


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A machine with no Chromium but those a test makes: make(name) -> an executable path."""
    monkeypatch.delenv("PLAYWRIGHT_CHROMIUM", raising=False)
    monkeypatch.setattr(helpers, "DEBIAN_CHROMIUM", str(tmp_path / "debian" / "chromium"))
    monkeypatch.setattr(helpers, "playwright_chromium", lambda: None)

    def make(name: str) -> str:
        path = tmp_path / name / "chromium"
        path.parent.mkdir(exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
        return str(path)

    return make


def test_playwright_chromium_is_asked_first(machine, monkeypatch):
    machine("debian")
    monkeypatch.setenv("PLAYWRIGHT_CHROMIUM", machine("mine"))

    assert find_chromium() == machine("mine")


def test_debians_chromium_is_next_also_when_playwright_chromium_is_no_browser(machine, monkeypatch):
    monkeypatch.setenv("PLAYWRIGHT_CHROMIUM", "/nonexistent")
    debian = machine("debian")
    monkeypatch.setattr(helpers, "playwright_chromium", lambda: machine("playwright"))

    assert find_chromium() == debian


def test_playwrights_own_download_is_last(machine, monkeypatch):
    monkeypatch.setattr(helpers, "playwright_chromium", lambda: machine("playwright"))

    assert find_chromium() == machine("playwright")


def test_a_file_that_cannot_run_is_no_browser(machine, monkeypatch, tmp_path):
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    monkeypatch.setenv("PLAYWRIGHT_CHROMIUM", str(not_executable))

    assert find_chromium() is None


# A run of one browser test and one other on a machine without any Chromium, in a process of its
# own: Debian's path and Playwright's download are made to find nothing there.
NO_BROWSER_RUN = """
import sys
import pytest
from applianceops.tests import helpers
helpers.DEBIAN_CHROMIUM = "/nonexistent/chromium"
helpers.playwright_chromium = lambda: None
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[1:]]))
"""
TESTS = ["applianceops/tests/test_landing_browser.py", "applianceops/tests/test_client_ip.py"]


def run_without_a_browser(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "REQUIRE_BROWSER"}
    return subprocess.run(
        [sys.executable, "-c", NO_BROWSER_RUN, *TESTS],
        cwd=ROOT,
        env={**environ, "PLAYWRIGHT_CHROMIUM": "/nonexistent", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_without_a_browser_the_rest_passes_and_one_line_says_how_to_get_one():
    result = run_without_a_browser()

    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "Chromium" in line]
    assert lines == [
        "1 browser test skipped, no Chromium found (PLAYWRIGHT_CHROMIUM=/nonexistent is not an "
        f"executable): to run it, {HOW_TO_GET_CHROMIUM}."
    ]
    assert " passed, 1 deselected" in result.stdout
    assert "SKIPPED" not in result.stdout


@pytest.mark.slow
def test_ci_fails_instead_when_it_has_no_browser():
    result = run_without_a_browser(REQUIRE_BROWSER="1")

    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "REQUIRE_BROWSER=1 and no Chromium found" in result.stderr
    assert " passed" not in result.stdout
