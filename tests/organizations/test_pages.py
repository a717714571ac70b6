"""Organizations, people and regions: pages, edits with validation, history, import."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World, credit_code
from towerwatch.organizations.importing import OrganizationImporter
from towerwatch.organizations.models import Organization, Person, Region

pytestmark = pytest.mark.django_db


def test_lists_and_details_render(world: World, login) -> None:
    client = login("detachment")
    for name in (
        "organizations:organization_list",
        "organizations:person_list",
        "organizations:region_list",
        "organizations:registration",
    ):
        assert client.get(reverse(name)).status_code == 200
    for obj in (world.orgs["property"], world.people["manager"], world.regions["town_a"]):
        assert client.get(obj.get_absolute_url()).status_code == 200


def test_registration_shows_only_the_towns_in_scope(world: World, login) -> None:
    page = login("town_b").get(reverse("organizations:registration")).content.decode()
    assert "白沙镇" in page and "几江街道" not in page


def test_create_organization_validates_credit_code_and_phone(world: World, login) -> None:
    client = login("town_a")
    url = reverse("organizations:organization_add")
    base = {"name": "新物业公司", "kind": "property_company", "is_business": "on"}
    bad_code = client.post(url, {**base, "credit_code": "91350100M000100Y44"})
    assert (
        bad_code.status_code == 400
        and 'data-field-error="credit_code"' in bad_code.content.decode()
    )
    bad_phone = client.post(url, {**base, "credit_code": credit_code(500), "phone": "12345"})
    assert bad_phone.status_code == 400 and 'data-field-error="phone"' in bad_phone.content.decode()
    assert not Organization.objects.filter(name="新物业公司").exists()
    ok = client.post(url, {**base, "credit_code": credit_code(500), "phone": "02347521234"})
    assert ok.status_code == 302
    org = Organization.objects.get(name="新物业公司")
    assert org.phone == "023-47521234" and org.registered_by == world.orgs["town_a"]
    # the new company is visible to its registrar (it has no building yet)
    assert client.get(org.get_absolute_url()).status_code == 200
    change = ObjectChange.objects.for_object(org).get()
    assert change.user_name == "town_a" and change.postchange_data["credit_code"] == credit_code(
        500
    )


def test_duplicate_credit_code_is_refused(world: World, login) -> None:
    response = login("town_a").post(
        reverse("organizations:organization_add"),
        {"name": "重复", "kind": "owner_unit", "credit_code": world.orgs["property"].credit_code},
    )
    assert (
        response.status_code == 400
        and 'data-field-error="credit_code"' in response.content.decode()
    )


def test_companies_cannot_edit_public_bodies(world: World, login) -> None:
    client = login("property")
    assert (
        client.get(
            reverse("organizations:organization_edit", args=[world.orgs["detachment"].pk])
        ).status_code
        == 403
    )
    assert (
        client.get(
            reverse("organizations:organization_edit", args=[world.orgs["property"].pk])
        ).status_code
        == 200
    )


def test_region_tree_fields_follow_a_move(world: World, login) -> None:
    grid = world.regions["grid_a2"]
    client = login("detachment")
    response = client.post(
        reverse("organizations:region_edit", args=[grid.pk]),
        {
            "name": grid.name,
            "code": grid.code,
            "kind": "grid",
            "parent": world.regions["comm_b"].pk,
        },
    )
    assert response.status_code == 302
    grid.refresh_from_db()
    assert (
        grid.path.startswith(world.regions["town_b"].path) and grid.town == world.regions["town_b"]
    )
    # the school in that grid is now in town B's scope
    assert (
        world.buildings["school_a2"].code
        in login("town_b").get(reverse("buildings:building_list")).content.decode()
    )


def test_region_grammar_is_enforced(world: World, login) -> None:
    response = login("detachment").post(
        reverse("organizations:region_add"),
        {"name": "错网格", "code": "999", "kind": "grid", "parent": world.regions["district"].pk},
    )
    assert response.status_code == 400 and not Region.objects.filter(code="999").exists()


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in OrganizationImporter.columns])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_organization_import_and_reimport(world: World, login) -> None:
    client = login("town_a")
    rows = [
        [
            "江津安居物业",
            "物业服务企业",
            credit_code(700),
            "几江街道",
            "",
            "",
            "刘洋",
            "消防安全管理人",
            "13911112222",
        ]
    ]
    url = reverse("organizations:organization_import")
    response = client.post(url, {"file": SimpleUploadedFile("o.xlsx", xlsx(rows)), "mode": "all"})
    assert response.status_code == 200, response.content.decode()[-3000:]
    org = Organization.objects.get(credit_code=credit_code(700))
    assert org.kind == "property_company" and org.people.get().phone == "13911112222"
    rows[0][8] = "13933334444"
    client.post(url, {"file": SimpleUploadedFile("o.xlsx", xlsx(rows)), "mode": "all"})
    assert Organization.objects.filter(credit_code=credit_code(700)).count() == 1
    assert Person.objects.get(name="刘洋").phone == "13933334444"


def test_organization_import_errors_write_nothing(world: World) -> None:
    rows = [
        ["好公司", "物业服务企业", credit_code(701), "", "", "", "", "", ""],
        ["坏代码", "物业服务企业", "91350100M000100Y44", "", "", "", "", "", ""],
        ["坏电话", "业主单位", "", "", "", "", "王五", "", "999"],
        ["坏类型", "宇宙公司", "", "", "", "", "", "", ""],
    ]
    result = OrganizationImporter(world.users["town_a"]).run(xlsx(rows))
    assert not result.written
    assert {(e.row, e.column) for e in result.errors} >= {
        (3, "统一社会信用代码"),
        (4, "联系人电话"),
        (5, "单位类型"),
    }
    assert not Organization.objects.filter(name="好公司").exists()


def test_list_query_count_does_not_grow_with_rows(world: World, login) -> None:
    from decimal import Decimal

    from towerwatch.buildings.actions import save_building
    from towerwatch.buildings.models import Building

    client = login("detachment")
    client.get(reverse("buildings:building_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("buildings:building_list"))
    for i in range(27):
        save_building(
            Building(
                name=f"楼{i}",
                address="x",
                region=world.regions["grid_a1"],
                height_m=Decimal(30),
                storeys_above=10,
                use="office",
            ),
            acting_user=None,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("buildings:building_list"))
    assert len(many) == len(few)


def test_certificates_are_edited_with_history(world: World, login) -> None:
    person = world.people["manager"]
    client = login("property")
    url = reverse("organizations:person_certificates", args=[person.pk])
    data = {
        "certificates-TOTAL_FORMS": "2",
        "certificates-INITIAL_FORMS": "0",
        "certificates-0-kind": "fire_facility_operator",
        "certificates-0-level": "4",
        "certificates-0-number": "1234567",
        "certificates-0-valid_until": "2029-06-30",
        "certificates-1-kind": "",
        "certificates-1-level": "",
    }
    assert client.post(url, data).status_code == 302
    cert = person.certificates.get()
    assert (cert.kind, cert.level) == ("fire_facility_operator", "4")
    assert ObjectChange.objects.for_object(cert).get().user_name == "property"
    page = client.get(person.get_absolute_url()).content.decode()
    assert "1234567" in page
    # another company may not touch them, and outside the scope the person does not exist
    assert login("leadership").get(url).status_code == 403
    assert login("town_b").get(url).status_code == 404
