"""The house rules of the code map (README: Where things are), checked so they stay true: modules
a newcomer can read, views that read as a list of steps, and doors that go through the engine
rather than through each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
APPS = (
    "applianceops",
    "bench",
    "booking",
    "faults",
    "schedulerAccounts",
    "technicians",
    "tenants",
    "webhooks",
)
MAX_MODULE_LINES = 450
MAX_VIEW_LINES = 25
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}

# Each door by the modules it is made of ("booking.api" covers booking.api_bookings and so on).
DOORS = {
    "Partner API": ("booking.api",),
    "booking page": ("booking.views", "booking.forms"),
    "self-service page": ("booking.self_service_views",),
    "technician's day": ("technicians.views",),
    "partner portal": (
        "schedulerAccounts.views",
        "schedulerAccounts.forms",
        "webhooks.portal_views",
    ),
    "admin": (
        "booking.admin",
        "tenants.admin",
        "schedulerAccounts.admin",
        "technicians.admin",
        "webhooks.admin",
    ),
}
ENGINE = (
    "booking.services",
    "booking.slots",
    "booking.availability",
    "booking.capacity",
    "booking.rules",
    "booking.models",
    "booking.notifications",
    "booking.ledger",
)


def source_modules():
    for app in APPS:
        for path in sorted((PROJECT / app).rglob("*.py")):
            parts = path.relative_to(PROJECT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path, ".".join(parts)[: -len(".py")].removesuffix(".__init__")


def door_of(module: str) -> str | None:
    for door, prefixes in DOORS.items():
        if any(module == p or module.startswith((p + ".", p + "_")) for p in prefixes):
            return door
    return None


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_outside_migrations_and_tests_is_over_450_lines():
    too_long = {
        name: lines
        for path, name in source_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_admin_page_view_or_api_view_method_is_over_25_lines():
    too_long = {}
    for path, name in source_modules():
        if door_of(name) not in {"admin", "Partner API"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and (
                node.name in HTTP_METHODS or node.name.endswith("_view")
            ):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_VIEW_LINES:
                    too_long[f"{name}.{node.name}"] = lines
    assert too_long == {}


@pytest.mark.parametrize("door", list(DOORS))
def test_a_door_imports_no_other_door(door):
    crossings = {
        f"{name} imports {imported}"
        for path, name in source_modules()
        if door_of(name) == door
        for imported in imported_modules(path)
        if door_of(imported) not in {None, door}
    }
    assert crossings == set()


def test_the_engine_imports_no_door():
    crossings = {
        f"{name} imports {imported}"
        for path, name in source_modules()
        if name in ENGINE
        for imported in imported_modules(path)
        if door_of(imported)
    }
    assert crossings == set()


def test_the_layout_check_sees_a_crossing_when_there_is_one(tmp_path):
    # The checks above pass on an empty set: make sure the import reader finds real imports.
    module = tmp_path / "door.py"
    module.write_text("from booking.views import BookingPage\nimport booking.admin.pages\n")
    assert {door_of(m) for m in imported_modules(module)} >= {"booking page", "admin"}
