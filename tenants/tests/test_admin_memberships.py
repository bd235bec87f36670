from __future__ import annotations

from django.contrib.auth import get_user_model

from tenants.models import Membership

LIST = "/admin/tenants/membership/"


def add_data(shop, **overrides) -> dict:
    data = {
        "shop": str(shop.pk),
        "username": "dana",
        "email": "dana@example.com",
        "password": "a-long-dispatch-pass",
        "role": "dispatcher",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def usernames(response) -> list[str]:
    return sorted(m.user.username for m in response.context["cl"].result_list)


def test_an_owner_sees_her_shops_people_only(client, alice, bob, charlie):
    client.force_login(alice)

    assert usernames(client.get(LIST)) == ["alice", "bob"]


def test_an_owner_adds_a_dispatcher_login(client, alice, shop_a):
    client.force_login(alice)

    response = client.post(f"{LIST}add/", add_data(shop_a))

    assert response.status_code == 302
    dana = get_user_model().objects.get(username="dana")
    assert dana.is_staff and not dana.is_superuser
    assert dana.check_password("a-long-dispatch-pass")
    assert Membership.objects.get(user=dana).role == "dispatcher"
    assert Membership.objects.get(user=dana).shop == shop_a


def test_the_add_form_starts_on_the_owners_only_shop(client, alice, charlie, shop_a):
    client.force_login(alice)

    form = client.get(f"{LIST}add/").context["adminform"].form

    assert form.initial["shop"] == shop_a.pk
    assert list(form.fields["shop"].queryset) == [shop_a]


def test_a_taken_username_or_weak_password_is_refused(client, alice, bob, shop_a):
    client.force_login(alice)

    taken = client.post(f"{LIST}add/", add_data(shop_a, username="BOB"))
    weak = client.post(f"{LIST}add/", add_data(shop_a, password="password12"))

    assert "That username is taken" in taken.content.decode()
    assert "too common" in weak.content.decode()
    assert not get_user_model().objects.filter(username="dana").exists()


def test_an_owner_cannot_add_people_to_another_shop(client, alice, shop_a, shop_b):
    client.force_login(alice)

    response = client.post(f"{LIST}add/", add_data(shop_b))

    assert "Select a valid choice" in response.content.decode()
    assert not get_user_model().objects.filter(username="dana").exists()


def test_an_owner_changes_a_role_but_not_her_own(client, alice, bob):
    client.force_login(alice)
    bobs = Membership.objects.get(user=bob)
    hers = Membership.objects.get(user=alice)

    client.post(f"{LIST}{bobs.pk}/change/", {"role": "owner", "_save": "Save"})
    client.post(f"{LIST}{hers.pk}/change/", {"role": "dispatcher", "_save": "Save"})

    assert Membership.objects.get(user=bob).role == "owner"
    assert Membership.objects.get(user=alice).role == "owner"
    assert client.get(f"{LIST}{hers.pk}/delete/").status_code == 403
    assert client.get(f"{LIST}{bobs.pk}/delete/").status_code == 200


def test_a_dispatcher_cannot_manage_people(client, bob):
    client.force_login(bob)

    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403


def test_charlie_cannot_see_or_change_alices_people(client, charlie, bob):
    client.force_login(charlie)
    bobs = Membership.objects.get(user=bob)

    assert usernames(client.get(LIST)) == ["charlie"]
    assert client.get(f"{LIST}{bobs.pk}/change/").status_code == 404
    client.post(f"{LIST}{bobs.pk}/change/", {"role": "owner", "_save": "Save"})
    assert Membership.objects.get(user=bob).role == "dispatcher"


def test_a_superuser_sees_everyone(client, admin_user, alice, bob, charlie):
    client.force_login(admin_user)

    assert usernames(client.get(LIST)) == ["alice", "bob", "charlie"]
