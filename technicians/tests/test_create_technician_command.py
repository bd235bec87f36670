from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from technicians.models import Shift, Technician, TimeOff


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_technician", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_technician_with_skills_shifts_and_time_off(shop_a):
    output = run(
        shop_a.slug,
        "Mike Ross",
        "--skill",
        "refrigerator",
        "--skill",
        "Washer",
        "--shift",
        "mon=08:00-17:00",
        "--shift",
        "Tuesday=7:30-12:00",
        "--off",
        "2026-12-24:2026-12-26",
        "--off",
        "2027-01-04",
        "--phone",
        "(661) 555-0142",
    )

    mike = Technician.objects.get(shop=shop_a)
    assert mike.name == "Mike Ross" and mike.first_name == "Mike"
    assert mike.skills == ["Refrigerator", "Washer"], "spelled as the shop spells its types"
    assert str(mike.mobile_phone) == "+16615550142"
    assert [(s.weekday, s.start, s.end) for s in mike.shifts.all()] == [
        (0, dt.time(8), dt.time(17)),
        (1, dt.time(7, 30), dt.time(12)),
    ]
    assert [(t.first_day, t.last_day) for t in mike.time_off.all()] == [
        (dt.date(2026, 12, 24), dt.date(2026, 12, 26)),
        (dt.date(2027, 1, 4), dt.date(2027, 1, 4)),
    ]
    assert "Created technician Mike Ross at Done Right Appliance." in output
    assert "Mon 08:00-17:00, Tue 07:30-12:00" in output


def test_no_skill_means_every_appliance_and_colours_differ(shop_a):
    run(shop_a.slug, "Ann Lee", "--shift", "mon=08:00-17:00")
    run(shop_a.slug, "Bo Diaz", "--shift", "mon=08:00-17:00")

    ann, bo = Technician.objects.order_by("name")
    assert ann.skills == [] and ann.services("Dryer")
    assert ann.colour != bo.colour


@pytest.mark.parametrize(
    "args, message",
    [
        (["--shift", "mon 8-17"], "write a weekday and its hours, e.g. --shift mon=08:00-17:00"),
        (["--shift", "mun=08:00-17:00"], "'mun' is not a weekday"),
        (["--shift", "mon=17:00-08:00"], "the shift must end after it starts"),
        (["--shift", "mon=08:00-25:00"], "'25:00' is not a time like 08:00"),
        (["--shift", "mon=08:00-12:00", "--shift", "mon=13:00-17:00"], "mon is given twice"),
        (["--off", "2026-13-01"], "write a day or a range, e.g. --off 2026-12-24"),
        (["--off", "2026-12-26:2026-12-24"], "the last day is before the first"),
        (["--skill", "Jacuzzi"], "has no appliance type 'Jacuzzi'; its types are Refrigerator"),
        (["--colour", "blue"], "colour: A colour like #2563eb"),
        (["--phone", "12"], "mobile_phone:"),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_is_written(shop_a, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        run(shop_a.slug, "Mike Ross", "--shift", "fri=08:00-17:00", "--off", "2026-12-24", *args)

    assert not Technician.objects.exists()
    assert not Shift.objects.exists() and not TimeOff.objects.exists()


def test_an_unknown_shop_or_a_taken_name_is_refused(shop_a):
    run(shop_a.slug, "Mike Ross")

    with pytest.raises(CommandError, match="No shop has the slug 'nope'"):
        run("nope", "Mike Ross")
    with pytest.raises(CommandError, match="already has a technician named 'mike ross'"):
        run(shop_a.slug, "mike ross")
    assert Technician.objects.count() == 1
