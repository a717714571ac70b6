"""Excel import: whole-file validation, row errors, atomicity, re-import updates."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from towerwatch.buildings.importing import BuildingImporter
from towerwatch.buildings.models import Building
from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in BuildingImporter.columns]


def xlsx(rows: list[dict[str, object]], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(**kw: object) -> dict[str, object]:
    base = {
        "建筑名称": "江畔1栋",
        "地址": "几江街道江畔路1号",
        "镇街/平台": "几江街道",
        "社区/村": "滨江社区",
        "网格": "滨江社区第1网格",
        "经度": 106.25,
        "纬度": 29.29,
        "建筑高度(m)": 60,
        "地上层数": 20,
        "主要用途": "住宅",
        "行业领域": "住宅",
        "物业服务企业/管理单位": "津城物业",
    }
    return {**base, **kw}


def upload(client, data: bytes, mode: str = "all", name: str = "b.xlsx"):
    return client.post(
        reverse("buildings:building_import"), {"file": SimpleUploadedFile(name, data), "mode": mode}
    )


def test_template_has_every_column(world: World, login) -> None:
    response = login("town_a").get(reverse("buildings:building_import_template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == HEADERS


def test_valid_file_imports_and_reimport_updates(world: World, login) -> None:
    client = login("town_a")
    rows = [row(), row(**{"建筑名称": "江畔2栋", "建筑高度(m)": 30, "地上层数": 10})]
    response = upload(client, xlsx(rows))
    assert response.status_code == 200, response.content.decode()[:2000]
    created = Building.objects.filter(name__startswith="江畔")
    assert created.count() == 2
    b1 = created.get(name="江畔1栋")
    assert b1.fire_class == "class1" and b1.region == world.regions["grid_a1"]
    link = b1.responsibilities.get(role="manager", organization=world.orgs["property"])
    assert b1.completeness == 12 and "manager" not in b1.missing_roles
    assert b1.fire_systems.count() == 9 and b1.code.startswith("500116-")
    assert b1.search_text.startswith(b1.code.lower())
    # every created object has its change row, attributed to the importing user
    change = ObjectChange.objects.for_object(b1).get()
    assert change.action == "create" and change.user_name == "town_a"
    assert change.postchange_data["sectors"] == ["residential"]
    assert ObjectChange.objects.for_object(link).get().user_name == "town_a"
    # Re-import with codes (as exported): updates, never duplicates.
    rows = [
        row(**{"建筑编码": b1.code, "建筑高度(m)": 50, "地上层数": 17}),
        row(
            **{
                "建筑编码": created.get(name="江畔2栋").code,
                "建筑名称": "江畔2栋",
                "建筑高度(m)": 30,
                "地上层数": 10,
            }
        ),
    ]
    assert upload(client, xlsx(rows)).status_code == 200
    assert Building.objects.filter(name__startswith="江畔").count() == 2
    b1.refresh_from_db()
    assert b1.fire_class == "class2"


def test_one_bad_row_writes_nothing_and_names_row_and_column(world: World, login) -> None:
    client = login("town_a")
    before = Building.objects.count(), ObjectChange.objects.count()
    rows = [
        row(),
        row(**{"建筑名称": "坏楼", "建筑高度(m)": -3}),
        row(**{"建筑名称": "远楼", "经度": 2.35, "纬度": 48.85}),
        row(**{"建筑名称": "外镇楼", "镇街/平台": "白沙镇"}),
    ]
    response = upload(client, xlsx(rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert (Building.objects.count(), ObjectChange.objects.count()) == before
    errors = BuildingImporter(world.users["town_a"]).run(xlsx(rows)).errors
    found = {(e.row, e.column) for e in errors}
    assert (3, "建筑高度(m)") in found and (4, "经度") in found and (5, "镇街/平台") in found
    assert "建筑高度(m)" in page


def test_valid_only_mode_imports_the_good_rows(world: World, login) -> None:
    rows = [row(), row(**{"建筑名称": "坏楼", "地上层数": "很多"})]
    assert upload(login("town_a"), xlsx(rows), mode="valid_only").status_code == 200
    assert (
        Building.objects.filter(name="江畔1栋").exists()
        and not Building.objects.filter(name="坏楼").exists()
    )


def test_check_mode_writes_nothing(world: World, login) -> None:
    upload(login("town_a"), xlsx([row()]), mode="check")
    assert not Building.objects.filter(name="江畔1栋").exists()


def test_duplicate_codes_in_the_file_or_taken_elsewhere_are_errors(world: World) -> None:
    other = world.buildings["res_b1"].code  # exists, but outside town_a's scope
    rows = [
        row(**{"建筑编码": "X-1"}),
        row(**{"建筑编码": "X-1", "建筑名称": "二号"}),
        row(**{"建筑编码": other, "建筑名称": "三号"}),
    ]
    errors = BuildingImporter(world.users["town_a"]).run(xlsx(rows)).errors
    assert {(e.row, e.column) for e in errors} == {(3, "建筑编码"), (4, "建筑编码")}


def test_not_xlsx_missing_columns_and_too_many_rows(world: World, login, settings) -> None:
    client = login("town_a")
    response = upload(client, b"name,height\nA,50\n", name="b.csv")
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    response = upload(client, xlsx([{"建筑名称": "A"}], headers=["建筑名称", "地址"]))
    assert response.status_code == 400 and "建筑高度(m)" in response.content.decode()
    settings.TOWERWATCH_IMPORT_MAX_ROWS = 5
    response = upload(client, xlsx([row(**{"建筑名称": f"楼{i}"}) for i in range(6)]))
    assert response.status_code == 400
    assert not Building.objects.filter(name__startswith="楼").exists()


def test_companies_cannot_import(world: World, login) -> None:
    assert login("property").get(reverse("buildings:building_import")).status_code == 403
