"""Devices silent past the polling period (GB 50440 §3.0.2-4, a rule) become cases; reporting closes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.monitoring.jobs import check_offline
from towerwatch.monitoring.models import AlarmCase, Device
from towerwatch.rules.models import Rule

from .test_pages import receive

pytestmark = pytest.mark.django_db


def test_a_silent_bound_device_opens_one_offline_case_and_reporting_closes_it(world: World) -> None:
    receive("aabbccddeeff", 1, status=0x0001)  # seen once
    device = Device.objects.get()
    device.building = world.buildings["res_a1"]
    device.save()
    assert check_offline(now=device.last_seen + timedelta(hours=1, minutes=59)) == 0
    assert check_offline(now=device.last_seen + timedelta(hours=2, minutes=1)) == 1
    assert check_offline(now=device.last_seen + timedelta(hours=3)) == 0  # idempotent
    case = AlarmCase.objects.get(kind="offline")
    assert case.state == "open" and case.building == world.buildings["res_a1"]
    receive("aabbccddeeff", 2, status=0x0001)  # it reports again
    case.refresh_from_db()
    assert case.state == "resolved"
    assert case.flips.order_by("id").last().note == "the device reported again"


def test_the_period_comes_from_the_rule_set(world: World) -> None:
    receive("aabbccddeeff", 1, status=0x0001)
    device = Device.objects.get()
    device.building = world.buildings["res_a1"]
    device.save()
    rule = Rule.objects.get(key="monitoring.poll_period_h_max")
    assert rule.citation == "GB 50440-2007 3.0.2-4"
    rule.value = 1
    rule.save()
    assert check_offline(now=device.last_seen + timedelta(minutes=61)) == 1


def test_unbound_devices_are_not_reported_offline(world: World) -> None:
    receive("aabbccddeeff", 1, status=0x0001)
    assert check_offline(now=timezone.now() + timedelta(days=1)) == 0
