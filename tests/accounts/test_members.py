"""Organization administrators manage their own members; scope follows the membership."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.accounts.models import Membership, User
from towerwatch.buildings.models import Building
from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World

pytestmark = pytest.mark.django_db


def test_admin_adds_a_grid_officer_who_sees_only_the_grid(world: World, login, client) -> None:
    admin = login("town_a")
    data = {
        "username": "wang.grid",
        "full_name": "王网格",
        "password": "Grid-officer-2026",
        "role": "grid_officer",
        "grid": world.regions["grid_a1"].pk,
    }
    assert admin.post(reverse("accounts:members"), data).status_code == 302
    user = User.objects.get(username="wang.grid")
    assert user.active_membership.organization == world.orgs["town_a"]
    assert ObjectChange.objects.for_object(user.active_membership).get().user_name == "town_a"
    assert set(Building.objects.visible_to(user)) == {world.buildings["res_a1"]}
    client.logout()
    assert client.login(username="wang.grid", password="Grid-officer-2026")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "grid_officer", "grid": ""}, "grid"),
        ({"password": "123"}, "password"),
        ({"username": "town_b"}, "username"),
    ],
)
def test_bad_member_input_is_refused(world: World, login, changes: dict, field: str) -> None:
    data = {
        "username": "new.user",
        "full_name": "新用户",
        "password": "A-long-password-1",
        "role": "staff",
        **changes,
    }
    count = User.objects.count()
    response = login("town_a").post(reverse("accounts:members"), data)
    assert (
        response.status_code == 400 and f'data-field-error="{field}"' in response.content.decode()
    )
    assert User.objects.count() == count


def test_only_admins_manage_members_and_only_their_own(world: World, login) -> None:
    assert login("town_b").get(reverse("accounts:members")).status_code == 403  # staff
    other = Membership.objects.get(user__username="town_b")
    assert (
        login("town_a").get(reverse("accounts:membership_edit", args=[other.pk])).status_code == 404
    )


def test_deactivated_member_cannot_log_in(world: World, login, client) -> None:
    grid = Membership.objects.get(user__username="grid_a2")
    response = login("town_a").post(
        reverse("accounts:membership_edit", args=[grid.pk]),
        {"role": "grid_officer", "grid": grid.grid_id},
    )
    assert response.status_code == 302
    assert not User.objects.get(username="grid_a2").is_active
    client.logout()
    assert not client.login(username="grid_a2", password="towerwatch-test")


def test_admin_cannot_demote_itself(world: World, login) -> None:
    me = Membership.objects.get(user__username="town_a")
    response = login("town_a").post(
        reverse("accounts:membership_edit", args=[me.pk]), {"role": "viewer", "is_active": "on"}
    )
    assert response.status_code == 400
    me.refresh_from_db()
    assert me.role == "admin"


def test_switching_organization_changes_scope(world: World, login) -> None:
    user = User.objects.get(username="town_b")
    second = Membership.objects.create(user=user, organization=world.orgs["town_a"], role="viewer")
    client = login("town_b")
    client.post(reverse("accounts:switch"), {"membership": second.pk})
    page = client.get(reverse("buildings:building_list")).content.decode()
    assert world.buildings["res_a1"].code in page and world.buildings["res_b1"].code not in page
    # one cannot switch into someone else's membership
    foreign = Membership.objects.get(user__username="town_a")
    assert client.post(reverse("accounts:switch"), {"membership": foreign.pk}).status_code == 404
