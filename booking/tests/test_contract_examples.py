"""The contract's own cURL, Node and Python examples book against our server as written.

Only the host and the date change: the contract's host is ours in production and its example
date, 2026-06-03, is in the past.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from booking.models import Booking
from booking.tests.helpers import next_working_day

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "partner-booking-api.txt"
CONTRACT_HOST = "https://applianceops.pro"
CONTRACT_DATE = "2026-06-03"


def example(start: str, end: str) -> str:
    """The contract's example from the line starting with `start` to the line containing `end`."""
    text = CONTRACT.read_text()
    match = re.search(rf"^{re.escape(start)}.*?{re.escape(end)}[^\n]*$", text, re.S | re.M)
    assert match, f"example starting {start!r} not found in the contract"
    return match.group(0)


def ours(code: str, live_server, shop) -> str:
    day = next_working_day(shop, days_ahead=3).isoformat()
    return code.replace(CONTRACT_HOST, live_server.url).replace(CONTRACT_DATE, day)


@pytest.fixture
def demo_shop(db):
    from tenants.tests.factories import ShopFactory

    return ShopFactory(name="Done Right Appliance", slug="done-right-appliance")


def run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_curl_example_books(live_server, demo_shop):
    script = ours(example("curl -X POST", "}'"), live_server, demo_shop)

    output = run(["bash", "-c", script])

    data = json.loads(output)
    assert data["success"] is True
    assert Booking.objects.get(pk=data["booking_id"]).source == "ahs"


def test_the_curl_example_books_without_its_content_type_header_too(live_server, demo_shop):
    # Issue 16: the first thing a newcomer tries. curl -d then labels the JSON as form data.
    script = ours(example("curl -X POST", "}'"), live_server, demo_shop)
    without_header = re.sub(r"\s*-H 'Content-Type: application/json' \\\n", "\n", script)
    assert "Content-Type" not in without_header

    output = run(["bash", "-c", without_header])

    data = json.loads(output)
    assert data["success"] is True
    assert str(Booking.objects.get(pk=data["booking_id"]).phone) == "+15551234567"


def test_the_node_example_books(live_server, demo_shop):
    script = ours(example("const res = await fetch", "console.log"), live_server, demo_shop)

    output = run(["node", "--input-type=module", "-e", script])

    booking_id = output.strip().removeprefix("Booking ID: ")
    assert Booking.objects.get(pk=booking_id).customer_name == "Jane Smith"


def test_the_python_example_books(live_server, demo_shop):
    script = ours(example("import requests", "print("), live_server, demo_shop)

    output = run([sys.executable, "-c", script])

    booking_id = output.strip().removeprefix("Booking ID: ")
    assert Booking.objects.get(pk=booking_id).appliance_type == "Refrigerator"


def test_the_node_example_throws_the_contracts_error_message(live_server, demo_shop):
    script = example("const res = await fetch", "console.log").replace(
        CONTRACT_HOST, live_server.url
    )

    result = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "scheduled_date must be today or later" in result.stderr
