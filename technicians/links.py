"""A technician's day link and calendar feed address: signed, secret, and reissued together.

The token signs the technician's id with their `link_key` under a salt of its own, so it can be
neither guessed nor altered, and no other signed value of the site passes for one. Reissuing
(technician_reissue_links) draws a new key: every address made with the old one stops working,
the day page and the feed alike, with no login for the technician to forget.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from technicians.models import Technician

SALT = "technicians.day-link"


def day_token(technician: Technician) -> str:
    return signing.Signer(salt=SALT).sign(f"{technician.pk}.{technician.link_key}")


def technician_for_token(token: str) -> Technician | None:
    """The technician a token names, or None when it is forged, altered or reissued since."""
    try:
        technician_id, _, key = signing.Signer(salt=SALT).unsign(token).partition(".")
    except signing.BadSignature:
        return None
    if not technician_id.isdigit():
        return None
    technician = (
        Technician.objects.select_related("shop__booking_settings")
        .filter(pk=int(technician_id))
        .first()
    )
    if technician is None or not constant_time_compare(technician.link_key, key):
        return None
    return technician


def day_path(technician: Technician, day: dt.date | None = None) -> str:
    """The day page (today on the shop's clock when no `day`)."""
    token = day_token(technician)
    if day is None:
        return reverse("technician-today", args=[token])
    return reverse("technician-day", args=[token, day.isoformat()])


def day_url(technician: Technician, day: dt.date | None = None) -> str:
    """The absolute day page address, for e-mails, the admin and the demo's lines."""
    return settings.SITE_URL + day_path(technician, day)


def feed_url(technician: Technician) -> str:
    """The calendar feed's address, to paste into a calendar app's "subscribe from URL"."""
    return settings.SITE_URL + reverse("technician-feed", args=[day_token(technician)])


def subscribe_url(technician: Technician) -> str:
    """The feed as a webcal:// link: tapped on a phone, its calendar app offers to subscribe."""
    return "webcal://" + feed_url(technician).split("://", 1)[1]
