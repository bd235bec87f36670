"""POST /api/booking/book with `Authorization: Bearer <partner key>`."""

from __future__ import annotations

import pytest

from booking.models import Booking, SeatCounter
from booking.tests.helpers import BOOK_API as URL
from booking.tests.helpers import contract_body
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_account_revoke_key


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def grant(account: SchedulerAccount, *fields: str, may_overbook: bool = False) -> None:
    SchedulerAccount.objects.filter(pk=account.pk).update(
        allowed_fields=list(fields), may_overbook=may_overbook
    )


EXTRA_VALUES = {
    "status": ("confirmed", "confirmed"),
    "priority": ("urgent", "urgent"),
    "dispatcher_notes": ("Gate code 4411", "Gate code 4411"),
    "partner_reference": ("ACME-778", "ACME-778"),
    "duration_minutes": (90, 90),
}


def test_a_valid_key_books_linked_to_its_account_on_the_api_channel(api_client, account_a, shop_a):
    account, key = account_a

    response = api_client.post(URL, contract_body(shop_a), format="json", **bearer(key))

    assert response.status_code == 201, response.json()
    booking = Booking.objects.get(pk=response.json()["booking_id"])
    assert booking.account == account
    assert booking.channel == Booking.Channel.API


def test_the_accounts_source_tag_is_forced(api_client, account_a, shop_a):
    _, key = account_a

    response = api_client.post(
        URL, contract_body(shop_a, source="cinch"), format="json", **bearer(key)
    )

    assert response.status_code == 201
    assert Booking.objects.get().source == "acme"


def test_an_account_the_owner_allowed_may_send_its_own_source(api_client, account_a, shop_a):
    account, key = account_a
    SchedulerAccount.objects.filter(pk=account.pk).update(may_override_source=True)

    tagged = api_client.post(
        URL, contract_body(shop_a, source="cinch"), format="json", **bearer(key)
    )
    untagged = api_client.post(URL, contract_body(shop_a, source=""), format="json", **bearer(key))

    assert tagged.status_code == untagged.status_code == 201
    assert Booking.objects.get(pk=tagged.json()["booking_id"]).source == "cinch"
    assert Booking.objects.get(pk=untagged.json()["booking_id"]).source == "acme"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ao_live_abcdefgh_" + "x" * 40,
        "Bearer not-a-key",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer ao_live_abcdefgh_" + "x" * 40 + " extra",
    ],
)
def test_a_wrong_or_malformed_key_is_a_401_never_the_public_rules(api_client, shop_a, header):
    response = api_client.post(URL, contract_body(shop_a), format="json", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "meta, name", [("HTTP_X_API_KEY", "X-Api-Key"), ("HTTP_API_KEY", "Api-Key")]
)
def test_a_key_in_another_header_is_a_401_naming_the_right_one(
    api_client, account_a, shop_a, meta, name
):
    _, key = account_a

    response = api_client.post(URL, contract_body(shop_a), format="json", **{meta: key})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert name in response.json()["error"]
    assert "Authorization: Bearer" in response.json()["error"]
    assert not Booking.objects.exists()


def test_a_revoked_key_is_a_401(api_client, account_a, shop_a):
    account, key = account_a
    scheduler_account_revoke_key(account=account)

    response = api_client.post(URL, contract_body(shop_a), format="json", **bearer(key))

    assert response.status_code == 401
    assert "revoked" in response.json()["error"]
    assert not Booking.objects.exists()


def test_the_key_of_an_inactive_account_is_a_401(api_client, account_a, shop_a):
    account, key = account_a
    SchedulerAccount.objects.filter(pk=account.pk).update(is_active=False)

    response = api_client.post(URL, contract_body(shop_a), format="json", **bearer(key))

    assert response.status_code == 401
    assert not Booking.objects.exists()


def test_a_key_of_shop_b_cannot_book_shop_a(api_client, account_b, shop_a):
    _, key = account_b

    response = api_client.post(URL, contract_body(shop_a), format="json", **bearer(key))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "another shop" in response.json()["error"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("field", list(EXTRA_VALUES) + ["allow_overbook"])
def test_an_extra_field_without_a_key_is_a_403_naming_it(api_client, shop_a, field):
    value = True if field == "allow_overbook" else EXTRA_VALUES[field][0]

    response = api_client.post(URL, contract_body(shop_a, **{field: value}), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "field_not_allowed"
    assert response.json()["field"] == field
    assert field in response.json()["error"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("field", list(EXTRA_VALUES) + ["allow_overbook"])
def test_an_extra_field_the_account_may_not_write_is_a_403(api_client, account_a, shop_a, field):
    account, key = account_a
    others = [f for f in EXTRA_VALUES if f != field]
    grant(account, *others, may_overbook=False)
    value = True if field == "allow_overbook" else EXTRA_VALUES[field][0]

    response = api_client.post(
        URL, contract_body(shop_a, **{field: value}), format="json", **bearer(key)
    )

    assert response.status_code == 403
    assert response.json()["field"] == field
    assert "may not write" in response.json()["error"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("field", list(EXTRA_VALUES))
def test_an_extra_field_the_account_may_write_reaches_the_dispatchers_booking(
    api_client, account_a, shop_a, field
):
    account, key = account_a
    grant(account, field)
    sent, stored = EXTRA_VALUES[field]

    response = api_client.post(
        URL, contract_body(shop_a, **{field: sent}), format="json", **bearer(key)
    )

    assert response.status_code == 201, response.json()
    assert getattr(Booking.objects.get(), field) == stored


def test_a_blank_or_null_extra_field_counts_as_not_sent(api_client, shop_a):
    response = api_client.post(
        URL, contract_body(shop_a, dispatcher_notes="", priority=None), format="json"
    )

    assert response.status_code == 201


def test_an_invalid_extra_value_is_a_400(api_client, account_a, shop_a):
    account, key = account_a
    grant(account, "status")

    response = api_client.post(
        URL, contract_body(shop_a, status="completed"), format="json", **bearer(key)
    )

    assert response.status_code == 400
    assert response.json()["field"] == "status"


def test_allow_overbook_books_into_a_full_start_only_with_the_right(api_client, account_a, shop_a):
    account, key = account_a
    grant(account, may_overbook=True)
    body = contract_body(shop_a, time_slot="10:00", allow_overbook=True)
    SeatCounter.objects.create(
        shop=shop_a, date=body["scheduled_date"], start_time="10:00", booked=2
    )

    response = api_client.post(URL, body, format="json", **bearer(key))

    assert response.status_code == 201, response.json()
    booking = Booking.objects.get()
    assert booking.scheduled_time.strftime("%H:%M") == "10:00"
    assert booking.overbooked is True


def test_without_allow_overbook_a_full_start_moves_on_as_usual(api_client, account_a, shop_a):
    account, key = account_a
    grant(account, may_overbook=True)
    body = contract_body(shop_a, time_slot="10:00")
    SeatCounter.objects.create(
        shop=shop_a, date=body["scheduled_date"], start_time="10:00", booked=2
    )

    response = api_client.post(URL, body, format="json", **bearer(key))

    assert response.json()["scheduled_time"] == "11:00:00"
    assert Booking.objects.get().overbooked is False
