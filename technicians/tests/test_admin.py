"""Settings -> Technicians: owners manage them, dispatchers see them, Charlie sees none of A."""

from __future__ import annotations

import datetime as dt

from technicians.models import Technician
from technicians.tests.helpers import hire

LIST = "/admin/technicians/technician/"
ADD = LIST + "add/"
INLINE = "time_off"


def change_url(technician) -> str:
    return f"{LIST}{technician.pk}/change/"


def technician_form(shop, **overrides) -> dict:
    """The add form as an owner fills it in: Mon-Fri 08:00-17:00, Tuesday off at noon."""
    data = {
        "shop": shop.pk,
        "name": "Mike Ross",
        "is_active": "on",
        "colour": "#16a34a",
        "mobile_phone": "(661) 555-0142",
        "email": "mike@example.com",
        "skills": ["Refrigerator", "Dishwasher"],
        f"{INLINE}-TOTAL_FORMS": "1",
        f"{INLINE}-INITIAL_FORMS": "0",
        f"{INLINE}-0-first_day": "2026-12-24",
        f"{INLINE}-0-last_day": "2026-12-26",
        "_save": "Save",
    }
    for day in ("mon", "tue", "wed", "thu", "fri"):
        data[f"{day}_start"], data[f"{day}_end"] = "08:00", "17:00"
    data["tue_end"] = "12:00"
    return data | overrides


def test_an_owner_adds_a_technician_with_skills_shifts_and_time_off(client, alice, shop_a):
    client.force_login(alice)

    response = client.post(ADD, technician_form(shop_a))

    assert response.status_code == 302, response.context["adminform"].form.errors
    mike = Technician.objects.get()
    assert (mike.shop, mike.colour, str(mike.mobile_phone)) == (shop_a, "#16a34a", "+16615550142")
    assert mike.skills == ["Refrigerator", "Dishwasher"]
    assert [(s.weekday, s.start, s.end) for s in mike.shifts.all()][:2] == [
        (0, dt.time(8), dt.time(17)),
        (1, dt.time(8), dt.time(12)),
    ]
    assert mike.shifts.count() == 5, "the weekend is off"
    assert [off.describe() for off in mike.time_off.all()] == ["Thu Dec 24 to Sat Dec 26"]


def test_the_add_form_offers_the_shops_appliances_and_a_fresh_colour(client, alice, shop_a):
    shop_a.booking_settings.appliance_types = ["Refrigerator", "Ice Machine"]
    shop_a.booking_settings.save()
    hire(shop_a, "Ann Lee")
    client.force_login(alice)

    form = client.get(ADD).context["adminform"].form

    assert [value for value, _ in form.fields["skills"].choices] == ["Refrigerator", "Ice Machine"]
    assert form.initial["colour"] != Technician.objects.get().colour


def test_a_day_with_one_time_or_backwards_hours_is_refused(client, alice, shop_a):
    client.force_login(alice)

    response = client.post(
        ADD, technician_form(shop_a, mon_end="", wed_start="17:00", wed_end="08:00")
    )

    errors = response.context["adminform"].form.errors
    assert errors["mon_end"] == ["Give both times, or neither for a day off."]
    assert errors["wed_end"] == ["The shift must end after it starts."]
    assert not Technician.objects.exists()


def test_an_owner_changes_the_week_and_a_day_left_empty_is_off(client, alice, shop_a):
    mike = hire(shop_a, "Mike Ross")
    client.force_login(alice)
    data = technician_form(shop_a, fri_start="", fri_end="", sat_start="09:00", sat_end="13:00")
    data.pop("shop")
    data[f"{INLINE}-TOTAL_FORMS"] = "0"

    response = client.post(change_url(mike), data)

    assert response.status_code == 302
    assert [str(shift) for shift in mike.shifts.all()] == [
        "Mon 08:00-17:00",
        "Tue 08:00-12:00",
        "Wed 08:00-17:00",
        "Thu 08:00-17:00",
        "Sat 09:00-13:00",
    ]


def test_a_dispatcher_sees_the_technicians_but_changes_nothing(client, bob, shop_a):
    mike = hire(shop_a, "Mike Ross", skills=["Washer"])
    client.force_login(bob)

    listing = client.get(LIST).content.decode()
    page = client.get(change_url(mike))

    assert "Mike Ross" in listing and "Mon-Fri 08:00-17:00" in listing and "Washer" in listing
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url(mike), technician_form(shop_a)).status_code == 403
    assert client.get(ADD).status_code == 403
    assert Technician.objects.get().skills == ["Washer"]


def test_charlie_sees_nothing_of_shop_a(client, charlie, shop_a, shop_b):
    mike = hire(shop_a, "Mike Ross")
    hire(shop_b, "Bea Other")
    client.force_login(charlie)

    listing = client.get(LIST).content.decode()

    assert "Bea Other" in listing and "Mike Ross" not in listing
    assert client.get(change_url(mike)).status_code == 404
    assert client.post(ADD, technician_form(shop_a)).status_code == 200, "shop A is no choice"
    assert not Technician.objects.filter(shop=shop_b, name="Mike Ross").exists()
    assert Technician.objects.filter(name="Mike Ross").count() == 1


def test_technicians_sit_under_settings_for_owners_and_dispatchers(client, alice, bob):
    for user in (alice, bob):
        client.force_login(user)
        html = client.get("/admin/").content.decode()
        settings_at = html.index(">Settings<")
        assert html.index(LIST) > settings_at, user
