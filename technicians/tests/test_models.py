from __future__ import annotations

import datetime as dt

from technicians.models import TimeOff
from technicians.services import Away
from technicians.tests.helpers import hire


def test_the_week_reads_in_few_words(shop_a):
    mike = hire(shop_a, "Mike Ross")
    ann = hire(shop_a, "Ann Lee", weekdays=[0, 1, 3, 5])
    bo = hire(shop_a, "Bo Diaz", weekdays=[])

    assert mike.week_label() == "Mon-Fri 08:00-17:00"
    assert ann.week_label() == "Mon-Tue 08:00-17:00, Thu 08:00-17:00, Sat 08:00-17:00"
    assert bo.week_label() == "No shifts"


def test_time_off_reads_as_days_or_hours():
    day = dt.date(2026, 12, 8)

    def words(**away):
        return TimeOff(**{"first_day": day, "last_day": day} | away).describe()

    assert words() == "Tue Dec 8"
    assert words(from_time=dt.time(13), until_time=dt.time(15)) == "Tue Dec 8 13:00-15:00"
    assert words(from_time=dt.time(13)) == "Tue Dec 8 from 13:00"
    assert words(last_day=day + dt.timedelta(days=2), until_time=dt.time(12)) == (
        "Tue Dec 8 to Thu Dec 10 12:00"
    )


def test_time_off_overlaps_only_the_hours_it_covers(shop_a):
    day = dt.date(2026, 12, 8)
    mike = hire(shop_a, "Mike Ross", off=[Away(day, day, dt.time(13), dt.time(15))])

    def off(start: int, end: int) -> bool:
        return mike.off_during(
            dt.datetime.combine(day, dt.time(start)), dt.datetime.combine(day, dt.time(end))
        )

    assert off(14, 16) and off(12, 14) and not off(15, 16) and not off(11, 13)
