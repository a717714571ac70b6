"""Monitoring pages: the unregistered queue, binding a device, the building's monitoring tab."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World
from towerwatch.monitoring.gb26875 import Adu, decode_frame, encode_frame
from towerwatch.monitoring.gb26875.adu import ComponentStatus, adu_frame
from towerwatch.monitoring.gb26875.frame import CHINA_TIME, TimeLabel
from towerwatch.monitoring.ingest import Incoming, store_frames
from towerwatch.monitoring.models import AlarmCase, Device, Event

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA_TIME)


def receive(address: str, serial: int, status: int = 0x0002) -> None:
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=40,
        component_address=bytes.fromhex("05000000"),
        status=status,
        description="五楼手报",
        at=TimeLabel.from_datetime(AT),
    )
    raw = encode_frame(
        adu_frame(
            Adu(type=2, objects=(obj,)),
            serial=serial,
            source=bytes.fromhex(address),
            destination=bytes(6),
            sent_at=AT,
        )
    )
    store_frames([Incoming(frame=decode_frame(raw), raw=raw, received_at=AT)])


def test_unregistered_devices_are_seen_by_the_centre_only(world: World, login) -> None:
    receive("aabbccddeeff", 1)
    device = Device.objects.get()
    assert (
        device.address
        in login("operator")
        .get(reverse("monitoring:device_list"), {"unbound": "true"})
        .content.decode()
    )
    town = login("town_a")
    assert device.address not in town.get(reverse("monitoring:device_list")).content.decode()
    assert town.get(device.get_absolute_url()).status_code == 404


def test_operator_binds_a_device_and_its_past_events_follow(world: World, login) -> None:
    receive("aabbccddeeff", 1)
    device = Device.objects.get()
    b = world.buildings["res_a1"]
    response = login("operator").post(
        reverse("monitoring:device_bind", args=[device.pk]),
        {"building": b.pk, "name": "消控室传输装置"},
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.building == b and Event.objects.get().building == b
    assert AlarmCase.objects.get().building == b
    assert (
        ObjectChange.objects.for_object(device).filter(action="update").get().user_name
        == "operator"
    )
    page = login("town_a").get(b.get_absolute_url() + "?tab=monitoring").content.decode()
    assert "五楼手报" in page and "消控室传输装置" in page
    # a town may look but not bind
    assert (
        login("town_a").get(reverse("monitoring:device_bind", args=[device.pk])).status_code == 403
    )


def test_binding_outside_the_scope_is_refused(world: World, login) -> None:
    receive("aabbccddeeff", 1)
    device = Device.objects.get()
    device.building = world.buildings["res_b1"]
    device.save()
    # town A cannot even see a device of town B's building
    assert login("town_a").get(device.get_absolute_url()).status_code == 404
