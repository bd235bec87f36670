"""The pure slot engine: settings + date + now -> ordered start times. No database."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from booking import slots

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
MONDAY = dt.date(2026, 3, 2)
T = dt.time


def schedule(**overrides) -> slots.Schedule:
    values = dict(
        first_start=T(8),
        last_start=T(16),
        minutes_between_starts=60,
        weekdays=frozenset(range(5)),
        blackouts=frozenset(),
        min_notice=dt.timedelta(hours=2),
        horizon_days=60,
    )
    values.update(overrides)
    return slots.Schedule(**values)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute), tzinfo=LA)


def test_a_default_day_has_nine_hourly_starts():
    assert schedule().start_times() == [T(h) for h in range(8, 17)]


def test_half_hour_steps_end_at_the_last_start():
    starts = schedule(first_start=T(8), last_start=T(10), minutes_between_starts=30).start_times()

    assert starts == [T(8), T(8, 30), T(9), T(9, 30), T(10)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("AM", ("am", None)),
        ("pm", ("pm", None)),
        (" Am ", ("am", None)),
        ("10:00", ("", T(10))),
        ("14:30", ("", T(14, 30))),
        ("10:00 AM", ("", T(10))),
        ("2:00 pm", ("", T(14))),
        ("2pm", ("", T(14))),
        ("12:00 PM", ("", T(12))),
        ("10:00:00", ("", T(10))),
        ("", ("", None)),
        (None, ("", None)),
    ],
)
def test_it_reads_the_contracts_time_slot_forms(text, expected):
    assert slots.parse_time_slot(text) == expected


@pytest.mark.parametrize("text", ["morning", "10", "25:00", "10:75", "13:00 PM", "noonish"])
def test_it_refuses_a_time_slot_it_cannot_read(text):
    with pytest.raises(ValueError, match="use AM, PM or a time like 10:00"):
        slots.parse_time_slot(text)


def test_am_anchors_on_the_morning_starts_and_pm_on_the_afternoon_ones():
    assert slots.anchor_range(schedule(), "am", None) == (T(8), T(11))
    assert slots.anchor_range(schedule(), "pm", None) == (T(12), T(16))
    assert slots.anchor_range(schedule(), "", None) == (T(8), T(16))


def test_a_time_between_starts_means_the_next_start():
    assert slots.anchor_range(schedule(), "", T(10, 30)) == (T(11), T(11))
    assert slots.anchor_range(schedule(), "", T(10)) == (T(10), T(10))


@pytest.mark.parametrize("time", [T(7, 59), T(16, 1), T(18)])
def test_a_time_outside_the_hours_is_refused_naming_them(time):
    with pytest.raises(ValueError, match="between 08:00 and 16:00"):
        slots.anchor_range(schedule(), "", time)


def test_the_preference_is_wanted_then_later_then_nearest_earlier():
    starts = [T(h) for h in range(8, 17)]

    order = slots.preference_order(starts, T(12), T(12))

    assert order == [T(12), T(13), T(14), T(15), T(16), T(11), T(10), T(9), T(8)]


def test_the_am_preference_tries_the_morning_first_then_the_afternoon():
    starts = [T(h) for h in range(8, 17)]

    order = slots.preference_order(starts, T(8), T(11))

    assert order[:5] == [T(8), T(9), T(10), T(11), T(12)]


def test_starts_inside_the_minimum_notice_are_not_open():
    now = at(MONDAY, 9, 30)

    assert slots.open_start_times(schedule(), MONDAY, now) == [T(h) for h in range(12, 17)]


def test_a_start_exactly_at_the_notice_is_open():
    now = at(MONDAY, 9, 0)

    assert slots.open_start_times(schedule(), MONDAY, now)[0] == T(11)


def test_notice_reaches_into_tomorrow_morning():
    now = at(MONDAY, 23, 0)
    tuesday = MONDAY + dt.timedelta(days=1)

    assert slots.open_start_times(schedule(min_notice=dt.timedelta(hours=10)), tuesday, now) == [
        T(h) for h in range(9, 17)
    ]


def test_past_days_weekends_blackouts_and_days_beyond_the_horizon_are_closed():
    today = MONDAY
    holiday = today + dt.timedelta(days=3)
    rules = schedule(blackouts=frozenset({holiday}), horizon_days=14)

    assert slots.day_closed_reason(rules, today - dt.timedelta(days=1), today) == "past"
    assert slots.day_closed_reason(rules, dt.date(2026, 3, 7), today) == "non_working_day"
    assert slots.day_closed_reason(rules, holiday, today) == "blackout"
    assert slots.day_closed_reason(rules, today + dt.timedelta(days=15), today) == (
        "beyond_horizon"
    )
    assert slots.day_closed_reason(rules, today + dt.timedelta(days=14), today) == ""
    assert slots.day_closed_reason(rules, today, today) == ""


def test_a_closed_day_has_no_open_starts():
    saturday = dt.date(2026, 3, 7)

    assert slots.open_start_times(schedule(), saturday, at(MONDAY, 8)) == []


def test_the_window_of_a_start_is_am_before_noon():
    assert slots.window_of(T(11, 59)) == "am"
    assert slots.window_of(T(12)) == "pm"


def test_a_request_label_is_the_window_or_the_time():
    assert slots.SlotRequest(MONDAY, "am").label == "am"
    assert slots.SlotRequest(MONDAY, "", T(10, 30)).label == "10:30"
    assert slots.SlotRequest(MONDAY).label == ""
