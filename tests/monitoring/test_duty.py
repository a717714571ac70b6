"""Duty checks from the page, and the case a check unanswered in time opens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.monitoring.duty import expire_duty_checks
from towerwatch.monitoring.models import AlarmCase, Device, DutyCheck

pytestmark = pytest.mark.django_db


def test_the_centre_queues_a_duty_check_a_town_cannot(world: World, login) -> None:
    device = Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    url = reverse("monitoring:device_duty_check", args=[device.pk])
    assert login("town_a").post(url).status_code == 403
    assert login("operator").post(url).status_code == 302
    check = DutyCheck.objects.get()
    assert (check.state, check.requested_by.username) == ("pending", "operator")


def test_an_unanswered_check_opens_a_case_once(world: World) -> None:
    device = Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    sent = timezone.now()
    check = DutyCheck.objects.create(
        device=device, state="sent", sent_at=sent, serial=3, timeout_minutes=10
    )
    assert expire_duty_checks(now=sent + timedelta(minutes=9)) == 0
    assert expire_duty_checks(now=sent + timedelta(minutes=11)) == 1
    assert expire_duty_checks(now=sent + timedelta(minutes=20)) == 0
    check.refresh_from_db()
    case = AlarmCase.objects.get()
    assert (
        check.state == "unanswered"
        and case.kind == "duty_unanswered"
        and case.building == device.building
    )
