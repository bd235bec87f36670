from __future__ import annotations

import datetime as dt

import pytest

from booking.tests.helpers import book
from tenants.models import BlackoutDate, BookingSettings

LIST = "/admin/tenants/bookingsettings/"


def change_url(shop) -> str:
    return f"{LIST}{shop.booking_settings.pk}/change/"


def settings_data(**overrides) -> dict:
    data = {
        "booking_enabled": "on",
        "working_weekdays": ["0", "1", "2", "3", "4", "5"],
        "first_start": "07:30",
        "last_start": "15:30",
        "minutes_between_starts": "90",
        "jobs_per_start_time": "3",
        "min_notice_minutes": "240",
        "horizon_days": "30",
        "reminder_hours_before": "24",
        "appliance_types": "Refrigerator\r\nWasher\r\n\r\n  Ice   Machine \r\nOther\r\nWasher",
        "service_zip_codes": "93534\r\n93535, 93536",
        "default_job_minutes": "60",
        "blackout_dates-TOTAL_FORMS": "1",
        "blackout_dates-INITIAL_FORMS": "0",
        "blackout_dates-MIN_NUM_FORMS": "0",
        "blackout_dates-MAX_NUM_FORMS": "1000",
        "blackout_dates-0-date": "2026-12-25",
        "blackout_dates-0-reason": "Christmas",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_an_owner_goes_straight_to_her_shops_settings(client, alice, shop_a, shop_b):
    client.force_login(alice)

    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"] == change_url(shop_a)


def test_the_form_uses_checkboxes_lines_and_shows_the_public_page(client, alice, shop_a):
    client.force_login(alice)

    html = client.get(change_url(shop_a)).content.decode()

    assert html.count('type="checkbox" name="working_weekdays"') == 7
    assert 'value="0" id="id_working_weekdays_0" checked' in html
    assert (
        'value="5" id="id_working_weekdays_5"' in html
        and 'id_working_weekdays_5" checked' not in html
    )
    assert "Refrigerator\nWasher\nDryer" in html
    assert "http://127.0.0.1:8000/book/done-right-appliance" in html
    assert "How many jobs can start at the same time" in html
    assert "Blackout dates (holidays and closures" in html


def test_saving_the_form_stores_clean_lists_and_blackouts(client, alice, shop_a):
    client.force_login(alice)

    response = client.post(change_url(shop_a), settings_data())

    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = BookingSettings.objects.get(shop=shop_a)
    assert saved.working_weekdays == [0, 1, 2, 3, 4, 5]
    assert saved.appliance_types == ["Refrigerator", "Washer", "Ice Machine", "Other"]
    assert saved.service_zip_codes == ["93534", "93535", "93536"]
    assert (saved.first_start, saved.jobs_per_start_time) == (dt.time(7, 30), 3)
    assert list(BlackoutDate.objects.values_list("date", "reason")) == [
        (dt.date(2026, 12, 25), "Christmas")
    ]


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"service_zip_codes": "93534\r\nLancaster, 9353"},
            "Not five-digit ZIP codes: Lancaster, 9353.",
        ),
        ({"first_start": "17:00"}, "The last start time must not be before the first."),
        ({"appliance_types": "\r\n"}, "List at least one appliance type."),
        ({"working_weekdays": ["9"]}, "Select a valid choice."),
        ({"working_weekdays": []}, "Tick at least one working day."),
    ],
)
def test_bad_settings_are_refused_with_nothing_saved(client, alice, shop_a, overrides, message):
    client.force_login(alice)

    response = client.post(change_url(shop_a), settings_data(**overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert BookingSettings.objects.get(shop=shop_a).jobs_per_start_time == 2
    assert not BlackoutDate.objects.exists()


def test_a_dispatcher_has_no_settings(client, bob, shop_a):
    client.force_login(bob)

    assert client.get(LIST).status_code == 403
    # Their own shop's settings: the owners-only page, not a pretence that they do not exist.
    assert client.get(change_url(shop_a)).status_code == 403
    response = client.post(change_url(shop_a), settings_data())
    assert response.status_code == 403
    assert BookingSettings.objects.get(shop=shop_a).jobs_per_start_time == 2


def test_charlie_cannot_open_or_change_alices_settings(client, charlie, shop_a, shop_b):
    client.force_login(charlie)

    assert client.get(LIST)["Location"] == change_url(shop_b)
    assert client.get(change_url(shop_a)).status_code == 404
    client.post(change_url(shop_a), settings_data())
    assert BookingSettings.objects.get(shop=shop_a).jobs_per_start_time == 2


def test_a_superuser_sees_every_shops_settings(client, admin_user, shop_a, shop_b):
    client.force_login(admin_user)

    response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2
    assert client.get(change_url(shop_a)).status_code == 200


def test_settings_cannot_be_added_or_deleted_on_their_own(client, alice, shop_a):
    client.force_login(alice)

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(f"{LIST}{shop_a.booking_settings.pk}/delete/").status_code == 403


def test_every_appliance_type_shows_its_job_length(client, alice, shop_a):
    client.force_login(alice)

    html = client.get(change_url(shop_a)).content.decode()

    assert "Refrigerator: 90\nWasher: 90\nDryer: 60" in html
    assert "Garbage Disposal: 45\nOther: 60" in html
    assert 'name="default_job_minutes" value="60"' in html


def test_an_owner_sets_job_lengths_and_bookings_take_them(client, alice, shop_a):
    client.force_login(alice)
    data = settings_data(
        default_job_minutes="45",
        job_minutes_by_appliance="refrigerator: 180\r\nIce Machine: 30 min\r\n\r\n",
    )

    response = client.post(change_url(shop_a), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    settings = BookingSettings.objects.get(shop=shop_a)
    assert settings.job_minutes_by_appliance == {"Refrigerator": 180, "Ice Machine": 30}
    assert (settings.job_length("Washer"), settings.default_job_minutes) == (45, 45)
    shop_a.refresh_from_db()
    assert book(shop_a, appliance="Fridge").duration_minutes == 180


@pytest.mark.parametrize(
    "lengths, error",
    [
        ("Jacuzzi: 60", "Not among the appliance types: Jacuzzi."),
        ("Refrigerator: 5", "Refrigerator: a job takes 15 to 720 minutes."),
        ("Refrigerator 90", "Write one appliance type and its minutes per line"),
    ],
)
def test_a_wrong_job_length_is_refused_in_words(client, alice, shop_a, lengths, error):
    client.force_login(alice)

    response = client.post(change_url(shop_a), settings_data(job_minutes_by_appliance=lengths))

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["job_minutes_by_appliance"]
    assert message.startswith(error)
    assert BookingSettings.objects.get(shop=shop_a).job_length("Refrigerator") == 90
