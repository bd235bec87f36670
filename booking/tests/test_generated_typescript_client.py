"""A TypeScript client generated from the served /api/schema works (issue 18): types by
openapi-typescript, calls by openapi-fetch, the booking script compiled by tsc and run by node
against the live server. `make typescript-client` (CI) type-checks the same script."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from booking.models import Booking
from booking.tests.helpers import next_working_day

FOLDER = Path(__file__).resolve().parents[2] / "clients" / "typescript"
BIN = FOLDER / "node_modules" / ".bin"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (BIN / "tsc").exists(),
        reason="the npm packages are not installed: run `make typescript-client` once",
    ),
]


def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_the_generated_typescript_client_books_reads_moves_and_cancels(
    live_server, tmp_path, shop_a, account_a
):
    for name in ("book.ts", "tsconfig.json", "package.json"):
        shutil.copy(FOLDER / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(FOLDER / "node_modules")
    with urllib.request.urlopen(f"{live_server.url}/api/schema?format=json", timeout=30) as answer:
        (tmp_path / "openapi.json").write_bytes(answer.read())
    day = next_working_day(shop_a, days_ahead=3).isoformat()

    run([str(BIN / "openapi-typescript"), "openapi.json", "--output", "schema.d.ts"], tmp_path)
    run([str(BIN / "tsc"), "-p", "."], tmp_path)
    output = run(
        ["node", "build/book.js", live_server.url, shop_a.slug, day, account_a[1]], tmp_path
    )

    summary = json.loads(output)
    assert summary == {
        "booked": day,
        "listed": 1,
        "moved": "pm",
        "status": "cancelled",
        "replayed": False,
        "refused": "not_found",
    }
    booking = Booking.objects.get()
    assert (booking.work_order_number, booking.status, booking.window) == (
        "TS-1",
        "cancelled",
        "pm",
    )
