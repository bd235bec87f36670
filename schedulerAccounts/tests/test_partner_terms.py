"""partner_booking_terms: one answer for what a partner's booking carries, API or portal."""

from __future__ import annotations

from booking.models import Booking
from booking.services import Extras
from schedulerAccounts.services import PartnerTerms, partner_booking_terms


def test_without_a_key_the_senders_source_and_the_public_defaults_apply():
    terms = partner_booking_terms(account=None, data={"source": " ahs ", "status": ""})

    assert terms == PartnerTerms(source="ahs", extras=Extras(), allow_overbook=False)


def test_an_account_tags_its_bookings_unless_it_may_send_its_own_source(account_a):
    account, _ = account_a
    forced = partner_booking_terms(account=account, data={"source": "cinch"})
    account.may_override_source = True
    own = partner_booking_terms(account=account, data={"source": "cinch"})
    blank = partner_booking_terms(account=account, data={"source": "  "})

    assert (forced.source, own.source, blank.source) == ("acme", "cinch", "acme")


def test_the_extra_fields_and_the_overbook_right_come_from_the_input(account_a):
    account, _ = account_a
    data = {
        "status": Booking.Status.CONFIRMED,
        "priority": Booking.Priority.URGENT,
        "dispatcher_notes": " Gate code 4411 ",
        "partner_reference": "ACME-778",
        "duration_minutes": 90,
        "allow_overbook": True,
    }

    terms = partner_booking_terms(account=account, data=data)

    assert terms.extras == Extras(
        status=Booking.Status.CONFIRMED,
        priority=Booking.Priority.URGENT,
        dispatcher_notes="Gate code 4411",
        partner_reference="ACME-778",
        duration_minutes=90,
    )
    assert terms.allow_overbook is True
