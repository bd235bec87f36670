"""The project's test tools that know no app: keeping the browser tests' screenshots, and
serving the project with gunicorn in processes of its own."""

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

# --- Browser tests ------------------------------------------------------------------------


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


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
        process.wait(timeout=15)


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
