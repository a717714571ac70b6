"""The building file: create and edit with validation, history, QR, public page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.buildings.actions import completeness_of
from towerwatch.buildings.models import Building
from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "滨江国际A座",
    "address": "几江街道滨江路9号",
    "height_m": "78.5",
    "storeys_above": "26",
    "storeys_below": "2",
    "use": "office",
    "sectors": ["office"],
    "stage": "in_use",
    "managing_arrangement": "property_company",
    "lon": "106.2551",
    "lat": "29.2912",
}


def form(world: World, **changes: object) -> dict[str, object]:
    data = {**GOOD, "region": world.regions["grid_a1"].pk, **changes}
    return {k: v for k, v in data.items() if v is not None}


def test_town_registers_a_building_with_computed_class_and_history(world: World, login) -> None:
    client = login("town_a")
    response = client.post(reverse("buildings:building_add"), form(world))
    assert response.status_code == 302
    b = Building.objects.get(name="滨江国际A座")
    assert b.code.startswith("500116-")
    assert (b.category, b.fire_class, b.is_high_rise) == ("public", "class1", True)  # 78.5 m > 50 m
    assert b.fire_systems.count() == 9
    assert list(b.sectors.values_list("code", flat=True)) == ["office"]
    change = ObjectChange.objects.for_object(b).get()
    assert change.action == "create" and change.user_name == "town_a"
    assert change.postchange_data["height_m"] == "78.50" and change.postchange_data["sectors"] == [
        "office"
    ]
    assert change.request_id

    page = client.get(b.get_absolute_url()).content.decode()
    assert "GB 50016-2014(2018) 表5.1.1" in page and "<svg" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"height_m": "-5"}, "height_m"),
        ({"height_m": "1200"}, "height_m"),
        ({"storeys_above": "80"}, "storeys_above"),  # 78.5 m over 80 storeys: < 1 m a storey
        ({"storeys_above": "3"}, "storeys_above"),  # 26 m a storey
        ({"lon": "2.35", "lat": "48.85"}, "lon"),  # Paris
        ({"lat": None}, "lat"),
        ({"use": "castle"}, "use"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    world: World, login, changes: dict, field: str
) -> None:
    client = login("town_a")
    before = Building.objects.count(), ObjectChange.objects.count()
    response = client.post(reverse("buildings:building_add"), form(world, **changes))
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert (Building.objects.count(), ObjectChange.objects.count()) == before


def test_a_region_outside_the_scope_cannot_be_chosen(world: World, login) -> None:
    response = login("town_a").post(
        reverse("buildings:building_add"), form(world, region=world.regions["grid_b1"].pk)
    )
    assert response.status_code == 400
    assert not Building.objects.filter(name="滨江国际A座").exists()


def test_edit_records_before_and_after(world: World, login) -> None:
    b = world.buildings["res_a1"]
    client = login("town_a")
    data = form(
        world,
        name=b.name,
        address=b.address,
        height_m="56",
        storeys_above="19",
        use="residential",
        sectors=["residential"],
    )
    assert client.post(reverse("buildings:building_edit", args=[b.pk]), data).status_code == 302
    b.refresh_from_db()
    assert b.fire_class == "class1"
    change = ObjectChange.objects.for_object(b).filter(action="update").get()
    assert (
        change.prechange_data["height_m"] == "60.00"
        and change.postchange_data["height_m"] == "56.00"
    )
    assert "56.00" in client.get(b.get_absolute_url() + "?tab=history").content.decode()


def test_change_log_cannot_be_edited(world: World) -> None:
    change = ObjectChange.objects.first()
    change.object_repr = "forged"
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        change.delete()
    with pytest.raises(PermissionError):
        ObjectChange.objects.all().update(object_repr="forged")


def test_viewers_and_companies_cannot_edit_or_register(world: World, login) -> None:
    b = world.buildings["res_a1"]
    assert (
        login("leadership").get(reverse("buildings:building_edit", args=[b.pk])).status_code == 403
    )
    assert login("property").get(reverse("buildings:building_add")).status_code == 403
    assert login("property").get(reverse("buildings:building_edit", args=[b.pk])).status_code == 200
    # outside the scope it is 404, whatever the role
    assert login("town_b").get(reverse("buildings:building_edit", args=[b.pk])).status_code == 404


def test_responsibility_links_drive_completeness(world: World, login) -> None:
    b = world.buildings["res_b1"]
    client = login("town_b")
    links = b.responsibilities.count()
    url = reverse("buildings:responsibility_add", args=[b.pk])
    client.post(
        url, {"role": "grid_officer", "new_person_name": "王芳", "new_person_phone": "13900001111"}
    )
    client.post(url, {"role": "department", "organization": world.orgs["housing"].pk})
    b.refresh_from_db()
    assert b.responsibilities.count() == links + 2
    assert b.completeness == completeness_of(b.responsibilities.values_list("role", flat=True))[0]
    assert "grid_officer" not in b.missing_roles
    # a bad phone is refused and nothing is written
    count = b.responsibilities.count()
    client.post(
        url, {"role": "safety_manager", "new_person_name": "赵六", "new_person_phone": "12345"}
    )
    assert b.responsibilities.count() == count


def test_delete_needs_admin_of_a_registrar(world: World, login) -> None:
    b = world.buildings["res_b1"]
    assert (
        login("town_b").post(reverse("buildings:building_delete", args=[b.pk])).status_code == 403
    )  # staff
    assert (
        login("detachment").post(reverse("buildings:building_delete", args=[b.pk])).status_code
        == 302
    )
    assert not Building.objects.filter(pk=b.pk).exists()
    assert ObjectChange.objects.filter(object_id=str(b.pk), action="delete").exists()


def test_public_page_needs_no_login_and_masks_the_phone(world: World, client) -> None:
    b = world.buildings["res_a1"]
    page = client.get(b.public_url).content.decode()
    assert b.name in page and "张伟" in page and "138****5678" in page and "13812345678" not in page
    assert client.get("/b/not-a-token/").status_code == 404


def test_qr_sign_pdf(world: World, login) -> None:
    b = world.buildings["res_a1"]
    for size in ("A4", "A5"):
        response = login("town_a").get(
            reverse("buildings:building_sign", args=[b.pk]), {"size": size}
        )
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_map_points_in_wgs84_or_converted_to_gcj02(world: World, login, settings) -> None:
    from towerwatch.core.geo import wgs84_to_gcj02

    client = login("detachment")
    b = world.buildings["res_a1"]
    wgs = {p[0]: p for p in client.get(reverse("buildings:building_map_data")).json()["points"]}
    assert wgs[b.pk][1:] == [29.29, 106.26, "class1"]
    settings.TOWERWATCH_MAP_TILE_CRS = "gcj02"
    body = client.get(reverse("buildings:building_map_data")).json()
    gcj = {p[0]: p for p in body["points"]}
    lon, lat = wgs84_to_gcj02(106.26, 29.29)
    assert body["crs"] == "gcj02"
    assert gcj[b.pk][1] == pytest.approx(lat, abs=1e-6) and gcj[b.pk][2] == pytest.approx(
        lon, abs=1e-6
    )
    assert gcj[b.pk][1] != 29.29


def test_map_data_follows_the_list_filters(world: World, login) -> None:
    client = login("detachment")
    points = client.get(
        reverse("buildings:building_map_data"), {"town": world.regions["town_b"].pk}
    ).json()["points"]
    assert [p[0] for p in points] == [world.buildings["res_b1"].pk]
