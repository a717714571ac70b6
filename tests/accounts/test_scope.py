"""The scope matrix: every persona on list, detail, search, export, map and API (architecture §4.1)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from towerwatch.buildings.models import Building
from towerwatch.core.models import AuditEvent
from towerwatch.core.testing.world import EXPECTED_VISIBLE, World

pytestmark = pytest.mark.django_db
PERSONAS = sorted(EXPECTED_VISIBLE)


def names(world: World, keys: set[str]) -> set[str]:
    return {world.buildings[k].code for k in keys}


@pytest.mark.parametrize("persona", PERSONAS)
def test_queryset_scope(world: World, persona: str) -> None:
    from towerwatch.accounts.models import User

    user = User.objects.get(username=persona)
    seen = set(Building.objects.visible_to(user).values_list("code", flat=True))
    assert seen == names(world, EXPECTED_VISIBLE[persona])


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "nobody"])
def test_list_page_search_export_and_detail(world: World, login, persona: str) -> None:
    client = login(persona)
    expected = names(world, EXPECTED_VISIBLE[persona])
    page = client.get(reverse("buildings:building_list")).content.decode()
    for b in world.buildings.values():
        assert (b.code in page) == (b.code in expected), b.code

    # Full-text search never reaches past the scope.
    for b in world.buildings.values():
        found = client.get(reverse("buildings:building_list"), {"q": b.name}).content.decode()
        assert (b.code in found) == (b.code in expected)

    # Exports: xlsx and CSV hold exactly the visible rows, and are audit-logged.
    response = client.get(reverse("buildings:building_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == expected
    response = client.get(reverse("buildings:building_list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == expected
    assert AuditEvent.objects.filter(kind="export", user__username=persona).count() == 2

    # Detail pages: 200 inside, 404 outside; the same for the QR sign.
    for b in world.buildings.values():
        status = 200 if b.code in expected else 404
        assert client.get(b.get_absolute_url()).status_code == status
        assert client.get(reverse("buildings:building_sign", args=[b.pk])).status_code == status
        assert client.get(reverse("buildings:building_card", args=[b.pk])).status_code == status

    # Map data.
    points = client.get(reverse("buildings:building_map_data")).json()["points"]
    assert {p[0] for p in points} == {b.pk for b in world.buildings.values() if b.code in expected}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "nobody"])
def test_api_scope(world: World, client, persona: str) -> None:
    from towerwatch.core.testing.world import PASSWORD

    token = client.post(reverse("api:token"), {"username": persona, "password": PASSWORD}).json()[
        "token"
    ]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    expected = names(world, EXPECTED_VISIBLE[persona])
    body = client.get(reverse("api:building-list"), **auth).json()
    assert body["count"] == len(expected)
    assert {b["code"] for b in body["results"]} == expected
    for b in world.buildings.values():
        status = 200 if b.code in expected else 404
        assert client.get(reverse("api:building-detail", args=[b.pk]), **auth).status_code == status


def test_filter_choices_are_scoped(world: World, login) -> None:
    page = login("town_b").get(reverse("buildings:building_list")).content.decode()
    assert "白沙镇" in page and "几江街道" not in page


def test_users_without_membership_see_nothing(world: World, login) -> None:
    client = login("nobody")
    assert client.get(reverse("buildings:building_list")).status_code == 404
    assert client.get(world.buildings["res_a1"].get_absolute_url()).status_code == 404


def test_anonymous_users_are_sent_to_login(world: World, client) -> None:
    response = client.get(reverse("buildings:building_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("api:building-list")).status_code == 401


def test_organizations_outside_scope_are_hidden(world: World, login) -> None:
    client = login("property")
    assert client.get(world.orgs["other_property"].get_absolute_url()).status_code == 404
    assert client.get(world.orgs["property"].get_absolute_url()).status_code == 200
    assert client.get(world.orgs["detachment"].get_absolute_url()).status_code == 200


def test_phones_are_masked_for_companies_and_viewers(world: World, login) -> None:
    url = world.buildings["res_a1"].get_absolute_url() + "?tab=responsibility"
    assert "13812345678" in login("town_a").get(url).content.decode()
    assert AuditEvent.objects.filter(kind="unmask", user__username="town_a").exists()
    assert "138****5678" in login("leadership").get(url).content.decode()
    assert "13812345678" not in login("leadership").get(url).content.decode()


def test_people_export_masks_phones_for_viewers(world: World, login) -> None:
    def phones(persona: str) -> set[str]:
        response = login(persona).get(reverse("organizations:person_list"), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        return {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}

    assert "13812345678" in phones("town_a")
    assert "138****5678" in phones("leadership") and "13812345678" not in phones("leadership")


def test_region_export_is_scoped(world: World, login) -> None:
    response = login("town_b").get(reverse("organizations:region_list"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "白沙镇" in text and "几江街道" not in text
