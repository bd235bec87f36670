"""The project's test tools that know no app: finding a Chromium for the browser tests,
keeping their screenshots and checking a page fits its screen, and serving the project with
gunicorn in processes of its own.

No Django import at module level: `make test` asks `find_chromium()` before Django is set up.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"

# --- A Chromium for the browser tests ------------------------------------------------------

DEBIAN_CHROMIUM = "/usr/bin/chromium"

HOW_TO_GET_CHROMIUM = (
    "install one (`apt-get install chromium` or `.venv/bin/python -m playwright install "
    "chromium`) or set PLAYWRIGHT_CHROMIUM to its path"
)


def _executable(path: str | os.PathLike | None) -> str | None:
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return str(path)
    return None


def playwright_chromium() -> str | None:
    """The browser `playwright install chromium` downloads, if it has been downloaded."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            return _executable(playwright.chromium.executable_path)
    except Error:
        return None


def find_chromium() -> str | None:
    """The Chromium a user's machine has: $PLAYWRIGHT_CHROMIUM, else Debian's, else the one
    Playwright downloaded. None when there is none."""
    return (
        _executable(os.environ.get("PLAYWRIGHT_CHROMIUM"))
        or _executable(DEBIAN_CHROMIUM)
        or playwright_chromium()
    )


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def does_not_fit(page, taps: str = "", *, tap_px: int = 48) -> list[str]:
    """Why a Playwright `page` does not fit its screen, [] when it does: the page scrolls
    sideways, or one of the `taps` (a CSS selector: what a thumb taps) is under `tap_px` tall
    or reaches past the screen's edge. 48 px is the smallest target a thumb hits reliably."""
    width = page.viewport_size["width"]
    found = []
    scrolls = page.evaluate("document.documentElement.scrollWidth")
    if scrolls > width:
        found.append(f"the page scrolls sideways: {scrolls} px wide on a {width} px screen")
    targets = page.locator(taps) if taps else None
    for index in range(targets.count() if targets else 0):
        target = targets.nth(index)
        name = repr(" ".join(target.inner_text().split()) or target.get_attribute("aria-label"))
        box = target.bounding_box()
        if box is None:
            found.append(f"{name} is not on the page")
            continue
        if box["height"] < tap_px:
            found.append(f"{name} is {box['height']:.0f} px tall, under {tap_px}")
        if box["x"] < 0 or box["x"] + box["width"] > width:
            found.append(f"{name} reaches past the screen's edge")
    return found


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn_serving(
    env: dict[str, str], *, workers: int = 2, options: tuple[str, ...] = ()
) -> Iterator[str]:
    """The project under gunicorn on a free port of 127.0.0.1, with `env` over os.environ;
    yields its base URL once /healthz answers, stops it on the way out."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "applianceops.wsgi"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), *options],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process, seconds=30)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # A loaded machine can keep a graceful shutdown waiting on a busy worker: the test
            # is over, so stop it outright rather than fail the test on its way out.
            process.kill()
            process.wait(timeout=30)


def _wait_until_healthy(base: str, process: subprocess.Popen, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} while starting")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {base}/healthz within {seconds:.0f} seconds")
