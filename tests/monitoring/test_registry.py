"""Registration pages: devices, control panels, points and thresholds, scoped, with the change log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import Device, Panel, Point, Threshold

from .test_pages import receive

pytestmark = pytest.mark.django_db


def uitd(world: World, key: str = "res_a1") -> Device:
    return Device.objects.create(kind="uitd", address="0a1b2c3d4e5f", building=world.buildings[key])


def field_errors(response) -> set[str]:
    import re

    return set(re.findall(r'data-field-error="([a-z_]+)"', response.content.decode()))


def test_a_building_editor_registers_a_uitd_with_the_change_log(world: World, login) -> None:
    b = world.buildings["res_a1"]
    client = login("town_a")
    form = client.get(reverse("monitoring:device_add") + f"?building={b.pk}")
    assert form.status_code == 200 and b.code in form.content.decode()
    response = client.post(
        reverse("monitoring:device_add"),
        {
            "building": b.pk,
            "kind": "uitd",
            "address": "0A 1B 2C 3D 4E 5F",
            "name": "消控室传输装置",
            "profile": "bcd_time",
        },
    )
    assert response.status_code == 302
    device = Device.objects.get()
    assert (device.address, device.profile, device.building) == ("0a1b2c3d4e5f", "bcd_time", b)
    change = ObjectChange.objects.for_object(device).get()
    assert (change.action, change.user_name) == ("create", "town_a")
    # listed on the building's monitoring tab, with a link to its page
    page = client.get(b.get_absolute_url() + "?tab=monitoring").content.decode()
    assert device.get_absolute_url() in page and "消控室传输装置" in page
    assert reverse("monitoring:device_add") + f"?building={b.pk}" in page


def test_errors_are_shown_per_field(world: World, login) -> None:
    b = world.buildings["res_a1"]
    client = login("property")  # a property company's staff edits the buildings it manages
    bad = client.post(
        reverse("monitoring:device_add"),
        {"building": b.pk, "kind": "uitd", "address": "12345", "profile": "standard"},
    )
    assert bad.status_code == 400 and field_errors(bad) == {"address"}
    no_kind = client.post(
        reverse("monitoring:device_add"),
        {"building": b.pk, "kind": "iot_sensor", "address": "wp-01", "profile": "standard"},
    )
    assert field_errors(no_kind) == {"sensor_kind"}
    ok = client.post(
        reverse("monitoring:device_add"),
        {
            "building": b.pk,
            "kind": "iot_sensor",
            "sensor_kind": "water_pressure",
            "address": "wp-01",
            "profile": "standard",
        },
    )
    assert ok.status_code == 302
    twice = client.post(
        reverse("monitoring:device_add"),
        {
            "building": b.pk,
            "kind": "iot_sensor",
            "sensor_kind": "water_pressure",
            "address": "wp-01",
            "profile": "standard",
        },
    )
    assert field_errors(twice) == {"address"}
    assert Device.objects.count() == 1


@pytest.mark.parametrize(
    "sensor_kind",
    [
        "water_pressure",
        "tank_level",
        "residual_current",
        "cable_temperature",
        "combustible_gas",
        "smoke_detector",
        "fire_lane_camera",
        "lookout_camera",
    ],
)
def test_every_sensor_kind_of_the_issue_registers(world: World, login, sensor_kind: str) -> None:
    b = world.buildings["res_a1"]
    response = login("town_a").post(
        reverse("monitoring:device_add"),
        {
            "building": b.pk,
            "kind": "iot_sensor",
            "sensor_kind": sensor_kind,
            "address": f"s-{sensor_kind}",
            "profile": "standard",
        },
    )
    assert response.status_code == 302
    assert Device.objects.get().sensor_kind == sensor_kind


def test_scope_decides_who_registers_where(world: World, login) -> None:
    device = uitd(world)
    b_other = world.buildings["res_b1"]
    # outside the scope: the building is not a choice, the device does not exist
    refused = login("town_a").post(
        reverse("monitoring:device_add"),
        {"building": b_other.pk, "kind": "uitd", "address": "aaaaaaaaaaaa", "profile": "standard"},
    )
    assert field_errors(refused) == {"building"}
    town_b = login("town_b")
    assert town_b.get(reverse("monitoring:device_edit", args=[device.pk])).status_code == 404
    assert town_b.get(reverse("monitoring:panel_add", args=[device.pk])).status_code == 404
    # a viewer sees but may not write
    viewer = login("leadership")
    assert viewer.get(device.get_absolute_url()).status_code == 200
    assert viewer.get(reverse("monitoring:device_edit", args=[device.pk])).status_code == 403
    assert viewer.get(reverse("monitoring:device_add")).status_code == 403
    # the centre (operators) registers everywhere
    op = login("operator")
    assert op.get(reverse("monitoring:panel_add", args=[device.pk])).status_code == 200


def test_panels_and_points_create_edit_delete(world: World, login) -> None:
    device = uitd(world)
    client = login("town_a")
    assert (
        client.post(
            reverse("monitoring:panel_add", args=[device.pk]),
            {"system_type": 1, "system_address": 2, "name": "1号主机"},
        ).status_code
        == 302
    )
    panel = Panel.objects.get()
    dup = client.post(
        reverse("monitoring:panel_add", args=[device.pk]),
        {"system_type": 1, "system_address": 2},
    )
    assert field_errors(dup) == {"system_address"}
    bad = client.post(
        reverse("monitoring:point_add", args=[device.pk]),
        {"panel": panel.pk, "component_type": 40, "address": "xyz", "floor": 3},
    )
    assert field_errors(bad) == {"address"}
    ok = client.post(
        reverse("monitoring:point_add", args=[device.pk]),
        {
            "panel": panel.pk,
            "component_type": 40,
            "address": "03001100",
            "floor": 3,
            "location": "三楼东侧走廊",
            "description": "三楼手报",
        },
    )
    assert ok.status_code == 302
    point = Point.objects.get()
    assert (
        client.post(
            reverse("monitoring:point_edit", args=[point.pk]),
            {"panel": panel.pk, "component_type": 40, "address": "03001100", "floor": 4},
        ).status_code
        == 302
    )
    point.refresh_from_db()
    assert point.floor == 4
    assert "三楼手报" not in client.get(device.get_absolute_url()).content.decode()
    assert client.post(reverse("monitoring:point_delete", args=[point.pk])).status_code == 302
    assert not Point.objects.exists()
    actions = list(
        ObjectChange.objects.filter(object_repr__contains="4F").values_list("action", flat=True)
    )
    assert "delete" in actions
    assert client.post(reverse("monitoring:panel_delete", args=[panel.pk])).status_code == 302
    assert not Panel.objects.exists()


def test_a_threshold_from_the_rule_set_shows_its_citation(world: World, login) -> None:
    device = Device.objects.create(
        kind="iot_sensor",
        sensor_kind="residual_current",
        address="rc-01",
        building=world.buildings["res_a1"],
    )
    client = login("town_a")
    form = client.get(reverse("monitoring:threshold_add", args=[device.pk])).content.decode()
    assert 'value="mA"' in form  # the sensor kind's unit is prefilled
    response = client.post(
        reverse("monitoring:threshold_add", args=[device.pk]),
        {"point": "L1", "unit": "", "rule_key": "monitoring.threshold.residual_current_ma"},
    )
    assert response.status_code == 302
    t = Threshold.objects.get()
    assert (t.low, t.high, t.unit) == (None, 500, "mA")
    page = client.get(device.get_absolute_url()).content.decode()
    assert "GB 50116-2013 9.2.3" in page
    # the building's own value: bounds required, low ≤ high, one threshold per point
    none = client.post(
        reverse("monitoring:threshold_add", args=[device.pk]), {"point": "L2", "unit": "mA"}
    )
    assert field_errors(none) == {"low"}
    upside = client.post(
        reverse("monitoring:threshold_add", args=[device.pk]),
        {"point": "L2", "low": 5, "high": 1, "unit": "mA"},
    )
    assert field_errors(upside) == {"high"}
    dup = client.post(
        reverse("monitoring:threshold_add", args=[device.pk]),
        {"point": "L1", "high": 300, "unit": "mA"},
    )
    assert field_errors(dup) == {"point"}
    assert (
        client.post(
            reverse("monitoring:threshold_edit", args=[t.pk]),
            {"point": "L1", "high": 300, "unit": "mA", "rule_key": ""},
        ).status_code
        == 302
    )
    t.refresh_from_db()
    assert (t.high, t.rule_key) == (300, "")
    assert ObjectChange.objects.for_object(t).filter(action="update").exists()


def test_binding_from_the_queue_leads_into_registration(world: World, login) -> None:
    receive("aabbccddeeff", 1)
    device = Device.objects.get()
    response = login("operator").post(
        reverse("monitoring:device_bind", args=[device.pk]),
        {"building": world.buildings["res_a1"].pk},
    )
    assert response["Location"] == reverse("monitoring:device_edit", args=[device.pk])
    edit = login("operator").get(response["Location"])
    assert edit.status_code == 200


def test_a_device_that_reported_is_not_deleted(world: World, login) -> None:
    receive("aabbccddeeff", 1)
    device = Device.objects.get()
    device.building = world.buildings["res_a1"]
    device.save()
    client = login("town_a")
    client.post(reverse("monitoring:device_delete", args=[device.pk]))
    assert Device.objects.filter(pk=device.pk).exists()
    mistake = Device.objects.create(
        kind="uitd", address="111111111111", building=world.buildings["res_a1"]
    )
    response = client.post(reverse("monitoring:device_delete", args=[mistake.pk]))
    assert response.status_code == 302 and "tab=monitoring" in response["Location"]
    assert not Device.objects.filter(pk=mistake.pk).exists()
