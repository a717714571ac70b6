"""A panel's point list from Excel; the registered point shows where an alarm is."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from towerwatch.core.testing.world import World
from towerwatch.monitoring.importing import PointImporter
from towerwatch.monitoring.models import AlarmCase, Device, Panel, Point

from .test_pages import receive

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in PointImporter.columns])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def device(world: World) -> Device:
    return Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])


def test_point_list_import_creates_panels_and_points_and_reimport_updates(
    device: Device, login
) -> None:
    rows = [
        [1, 1, 40, "05000000", "五楼手报", 5, "五楼消防电梯前室"],
        [1, 1, 21, "06000000", "六楼烟感", 6, "六楼走廊"],
        [1, 2, 21, "01000000", "地下车库烟感", -1, "负一楼车库"],
    ]
    client = login("operator")
    url = reverse("monitoring:points_import", args=[device.pk])
    assert (
        client.post(
            url, {"file": SimpleUploadedFile("p.xlsx", xlsx(rows)), "mode": "all"}
        ).status_code
        == 200
    )
    assert Panel.objects.filter(device=device).count() == 2 and Point.objects.count() == 3
    rows[0][6] = "五楼东侧前室"
    client.post(url, {"file": SimpleUploadedFile("p.xlsx", xlsx(rows)), "mode": "all"})
    assert (
        Point.objects.count() == 3
        and Point.objects.get(address="05000000").location == "五楼东侧前室"
    )
    # an alarm on that point says where it is
    receive("aabbccddeeff", 1, status=0x0002)  # component address 05000000
    page = client.get(AlarmCase.objects.get().get_absolute_url()).content.decode()
    assert "5F · 五楼东侧前室" in page


def test_bad_point_rows_name_row_and_column(device: Device, world: World) -> None:
    rows = [
        [1, 1, 40, "0500", "", 5, ""],
        [1, 1, 999, "06000000", "", 6, ""],
        [1, 1, 40, "07000000", "", "五", ""],
    ]
    result = PointImporter(world.users["operator"], device).run(xlsx(rows))
    assert not result.written
    assert {(e.row, e.column) for e in result.errors} == {
        (2, "部件地址"),
        (3, "部件类型"),
        (4, "楼层"),
    }
    assert not Point.objects.exists()


def test_outside_the_scope_is_404(device: Device, login) -> None:
    assert (
        login("town_b").get(reverse("monitoring:points_import", args=[device.pk])).status_code
        == 404
    )
