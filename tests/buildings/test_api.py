"""The REST API: token, schema, contracts, validation, scope on writes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.buildings.models import Building
from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import PASSWORD, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world: World, client):
    def _as(username: str):
        token = client.post(
            reverse("api:token"), {"username": username, "password": PASSWORD}
        ).json()["token"]
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
        return client

    return _as


def test_token_endpoint_rejects_wrong_passwords(world: World, client) -> None:
    response = client.post(reverse("api:token"), {"username": "town_a", "password": "wrong"})
    assert response.status_code == 400 and "token" not in response.json()


def test_building_contract_fields(world: World, api) -> None:
    body = api("detachment").get(reverse("api:building-list"), {"limit": 2, "offset": 0}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    b = (
        api("detachment")
        .get(reverse("api:building-detail", args=[world.buildings["res_a1"].pk]))
        .json()
    )
    assert b["code"] == world.buildings["res_a1"].code
    assert b["region_path"] == {
        "town": "500116001",
        "community": "500116001001",
        "grid": "50011600100101",
    }
    assert b["managing_organization_ids"] == [world.orgs["property"].pk]
    assert b["owner_organization_ids"] == [world.orgs["owner"].pk]
    assert b["occupant_organization_ids"] == []
    assert b["fire_class"] == "class1" and b["classification_reasons"][0]["citation"]


def test_api_filters_match_the_list_page(world: World, api) -> None:
    client = api("detachment")

    def codes(params):
        return {
            b["code"] for b in client.get(reverse("api:building-list"), params).json()["results"]
        }

    assert codes({"town": world.regions["town_b"].pk}) == {world.buildings["res_b1"].code}
    assert codes({"fire_class": "class1"}) == {world.buildings["res_a1"].code}
    assert codes({"q": "江津中学"}) == {world.buildings["school_a2"].code}
    assert codes({"height_min": 44, "height_max": 46}) == {world.buildings["res_b1"].code}
    assert codes({"manager": world.orgs["property"].pk}) == {world.buildings["res_a1"].code}


def test_create_through_the_api_classifies_and_logs(world: World, api) -> None:
    body = {
        "name": "API大厦",
        "address": "白沙镇1号",
        "region": world.regions["grid_b1"].pk,
        "height_m": "110",
        "storeys_above": 30,
        "use": "office",
        "sectors": ["office"],
    }
    response = api("town_b").post(
        reverse("api:building-list"), body, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (
        data["is_super_high_rise"]
        and data["fire_class"] == "class1"
        and data["code"].startswith("500116-")
    )
    assert ObjectChange.objects.filter(
        object_id=str(data["id"]), action="create", user_name="town_b"
    ).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"height_m": "tall"}, "height_m"),
        ({"storeys_above": "many"}, "storeys_above"),
        ({"height_m": "1500"}, "height_m"),
        ({"lon": "151.2", "lat": "-33.8"}, "lon"),
        ({"storeys_above": 2}, "storeys_above"),
    ],
)
def test_bad_api_bodies_name_the_field_and_change_nothing(
    world: World, api, body: dict, field: str
) -> None:
    base = {
        "name": "坏数据",
        "address": "x",
        "region": world.regions["grid_b1"].pk,
        "height_m": "50",
        "storeys_above": 16,
        "use": "office",
    }
    count = Building.objects.count()
    response = api("town_b").post(
        reverse("api:building-list"), {**base, **body}, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Building.objects.count() == count


def test_writes_outside_the_scope_are_404_or_refused(world: World, api) -> None:
    other = world.buildings["res_a1"]
    client = api("town_b")
    url = reverse("api:building-detail", args=[other.pk])
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code == 404
    assert client.delete(url).status_code == 404
    # a region outside the scope is not a valid choice
    mine = world.buildings["res_b1"]
    response = client.patch(
        reverse("api:building-detail", args=[mine.pk]),
        {"region": world.regions["grid_a1"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "region" in response.json()
    # viewers cannot write at all
    response = api("leadership").patch(
        reverse("api:building-detail", args=[mine.pk]),
        {"name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_schema_and_docs(world: World, api) -> None:
    client = api("detachment")
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["openapi"].startswith("3.") and "/api/buildings/" in doc["paths"]
    params = {p["name"] for p in doc["paths"]["/api/buildings/"]["get"]["parameters"]}
    assert {"limit", "offset", "town", "grid", "fire_class", "q", "height_min", "manager"} <= params
    docs = client.get(reverse("api:swagger-ui"))
    assert (
        docs.status_code == 200
        and b"/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.content
    )
    assert b"cdn.jsdelivr" not in docs.content


def test_people_phones_masked_in_api_for_viewers(world: World, api) -> None:
    phones = {
        p["phone"] for p in api("leadership").get(reverse("api:person-list")).json()["results"]
    }
    assert "138****5678" in phones and "13812345678" not in phones
