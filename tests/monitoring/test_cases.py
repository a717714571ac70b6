"""Alarm cases: opened at once, deduplicated per point, auto-resolved faults, handled by people."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import AlarmCase, Device

from .test_pages import receive

pytestmark = pytest.mark.django_db
ADDRESS = "aabbccddeeff"


@pytest.fixture
def bound(world: World) -> Device:
    return Device.objects.create(address=ADDRESS, building=world.buildings["res_a1"])


def test_a_fire_alarm_opens_one_case_and_repeats_fold_into_it(bound: Device) -> None:
    for serial in (1, 2, 3):
        receive(ADDRESS, serial, status=0x0002)
    case = AlarmCase.objects.get()
    assert (case.kind, case.state, case.event_count, case.building) == (
        "fire_alarm",
        "open",
        3,
        bound.building,
    )
    assert [f.new_state for f in case.flips.all()] == ["open"]


def test_a_fault_closes_itself_on_restore_but_a_fire_alarm_does_not(bound: Device) -> None:
    receive(ADDRESS, 1, status=0x0004)  # fault
    receive(ADDRESS, 2, status=0x0001)  # normal again
    fault = AlarmCase.objects.get(kind="fault")
    assert fault.state == "resolved" and fault.flips.last().note == "restored by the device"
    receive(ADDRESS, 3, status=0x0002)  # fire alarm
    receive(ADDRESS, 4, status=0x0001)
    assert AlarmCase.objects.get(kind="fire_alarm").state == "open"


def test_operator_confirms_a_fire_once_with_the_timeline(
    world: World, bound: Device, login
) -> None:
    receive(ADDRESS, 1, status=0x0002)
    case = AlarmCase.objects.get()
    client = login("operator")
    client.post(
        reverse("monitoring:case_handle", args=[case.pk]),
        {"state": "confirmed_fire", "note": "现场确认"},
    )
    case.refresh_from_db()
    assert case.state == "confirmed_fire" and case.closed_at
    flip = case.flips.last()
    assert (flip.old_state, flip.new_state, flip.actor.username, flip.note) == (
        "open",
        "confirmed_fire",
        "operator",
        "现场确认",
    )
    # a second decision is refused, the first stands
    client.post(reverse("monitoring:case_handle", args=[case.pk]), {"state": "false_alarm"})
    case.refresh_from_db()
    assert case.state == "confirmed_fire" and case.flips.count() == 2


def test_who_may_handle(world: World, bound: Device, login) -> None:
    receive(ADDRESS, 1, status=0x0002)
    case = AlarmCase.objects.get()
    url = reverse("monitoring:case_handle", args=[case.pk])
    assert login("leadership").post(url, {"state": "false_alarm"}).status_code == 403  # viewer
    assert (
        login("town_b").post(url, {"state": "false_alarm"}).status_code == 404
    )  # not its building
    # the building's property company (its control room, through the app) may
    login("property").post(url, {"state": "false_alarm"})
    case.refresh_from_db()
    assert case.state == "false_alarm"


def test_console_shows_open_cases_in_scope(world: World, bound: Device, login) -> None:
    receive(ADDRESS, 1, status=0x0002)
    case = AlarmCase.objects.get()
    assert (
        f'data-fire-case="{case.pk}"'
        in login("operator").get(reverse("monitoring:console")).content.decode()
    )
    assert (
        f'data-fire-case="{case.pk}"'
        in login("town_a").get(reverse("monitoring:console")).content.decode()
    )
    assert (
        f'data-fire-case="{case.pk}"'
        not in login("town_b").get(reverse("monitoring:console")).content.decode()
    )
    partial = (
        login("operator")
        .get(reverse("monitoring:console"), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "<html" not in partial and f'data-fire-case="{case.pk}"' in partial
    assert login("operator").get(case.get_absolute_url()).status_code == 200
