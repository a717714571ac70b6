"""Scheduled duty checks (查岗): planning, sending over a live connection, unanswered → case."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World
from towerwatch.monitoring.duty import expire_duty_checks, send_duty_checks
from towerwatch.monitoring.gb26875 import encode_frame
from towerwatch.monitoring.gb26875.frame import Command, Frame, TimeLabel
from towerwatch.monitoring.jobs import schedule_duty_checks, slots_on
from towerwatch.monitoring.models import AlarmCase, Device, DutyCheck, DutyCheckSchedule

from .test_ingest_server import AT, CENTRE, UITD, connect, read_frame, server  # noqa: F401


def local(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=timezone.get_current_timezone())


@pytest.mark.django_db
def test_random_slots_are_the_same_in_every_worker_and_inside_the_window(world: World) -> None:
    s = DutyCheckSchedule.objects.create(
        region=world.regions["district"], checks_per_day=5, start_hour=8, end_hour=20
    )
    day = date(2026, 11, 30)
    slots = slots_on(s, 7, day)
    assert slots == slots_on(s, 7, day) and len(slots) == 5 and slots == sorted(slots)
    assert all(8 <= timezone.localtime(t).hour < 20 for t in slots)
    assert slots != slots_on(s, 8, day) or slots != slots_on(s, 7, day + timedelta(days=1))
    fixed = DutyCheckSchedule(
        building=world.buildings["res_a1"], mode="fixed", fixed_times="15:30, 09:00"
    )
    assert [timezone.localtime(t).strftime("%H:%M") for t in slots_on(fixed, 1, day)] == [
        "09:00",
        "15:30",
    ]


@pytest.mark.django_db
def test_the_district_default_and_a_building_override_queue_checks_once(world: World) -> None:
    a1, b1 = world.buildings["res_a1"], world.buildings["res_b1"]
    d_a = Device.objects.create(kind="uitd", address="0a0000000001", building=a1)
    d_b = Device.objects.create(kind="uitd", address="0a0000000002", building=b1)
    Device.objects.create(kind="iot_sensor", address="wp-1", building=a1, sensor_kind="tank_level")
    Device.objects.create(kind="uitd", address="0a0000000003")  # unbound: never checked
    DutyCheckSchedule.objects.create(
        region=world.regions["district"], mode="fixed", fixed_times="09:00", timeout_minutes=7
    )
    DutyCheckSchedule.objects.create(building=b1, mode="fixed", fixed_times="10:00")
    assert schedule_duty_checks(local(2026, 11, 30, 8, 59)) == 0
    assert schedule_duty_checks(local(2026, 11, 30, 9, 1)) == 1
    assert schedule_duty_checks(local(2026, 11, 30, 9, 2)) == 0  # the slot is taken once
    check = DutyCheck.objects.get()
    assert (check.device, check.state, check.timeout_minutes) == (d_a, "pending", 7)
    assert check.scheduled_for == local(2026, 11, 30, 9, 0) and check.requested_by is None
    assert schedule_duty_checks(local(2026, 11, 30, 10, 0)) == 1
    assert DutyCheck.objects.filter(device=d_b).count() == 1
    # a worker down for an hour does not send a late burst
    assert schedule_duty_checks(local(2026, 12, 1, 11, 0)) == 0


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_check_goes_out_and_unanswered_opens_one_case(server, world: World) -> None:  # noqa: F811
    loop = server._writer_task.get_loop()
    now = timezone.now().replace(second=0, microsecond=0)
    hhmm = timezone.localtime(now).strftime("%H:%M")
    with connect(server) as sock:
        sock.sendall(
            encode_frame(
                Frame(
                    serial=1,
                    command=Command.SEND,
                    source=UITD,
                    destination=CENTRE,
                    sent_at=TimeLabel.from_datetime(AT),
                )
            )
        )
        read_frame(sock)
        device = Device.objects.get(address=UITD.hex())
        device.building = world.buildings["res_a1"]
        device.save()
        DutyCheckSchedule.objects.create(
            building=device.building, mode="fixed", fixed_times=hhmm, timeout_minutes=3
        )
        assert schedule_duty_checks(now + timedelta(seconds=30)) == 1
        assert asyncio.run_coroutine_threadsafe(send_duty_checks(server), loop).result(5) == 1
        command = read_frame(sock)
        assert command.adu[0] == 91  # type 91 on the device's own connection
    check = DutyCheck.objects.get()
    assert check.state == "sent"
    assert expire_duty_checks(check.sent_at + timedelta(minutes=2)) == 0
    assert expire_duty_checks(check.sent_at + timedelta(minutes=4)) == 1
    case = AlarmCase.objects.get()
    assert (case.kind, case.state, case.building) == ("duty_unanswered", "open", device.building)
    # the next unanswered check folds into the open case
    again = DutyCheck.objects.create(
        device=device, state="sent", sent_at=timezone.now(), timeout_minutes=1
    )
    assert expire_duty_checks(again.sent_at + timedelta(minutes=2)) == 0
    case.refresh_from_db()
    assert case.event_count == 2 and AlarmCase.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_check_to_a_disconnected_device_opens_a_case(server, world: World) -> None:  # noqa: F811
    loop = server._writer_task.get_loop()
    device = Device.objects.create(address="0a0a0a0a0a0a", building=world.buildings["res_a1"])
    DutyCheck.objects.create(device=device, scheduled_for=timezone.now())
    on_demand = DutyCheck.objects.create(device=device)
    assert asyncio.run_coroutine_threadsafe(send_duty_checks(server), loop).result(5) == 0
    assert set(DutyCheck.objects.values_list("state", flat=True)) == {"unreachable"}
    case = AlarmCase.objects.get()
    assert case.kind == "duty_unanswered" and case.event_count == 1
    assert on_demand.pk  # an operator's own check to an offline device opens no case


@pytest.mark.django_db
def test_the_duty_check_pages_answer_times_and_rates(world: World, login) -> None:
    a1, b1 = world.buildings["res_a1"], world.buildings["res_b1"]
    d_a = Device.objects.create(kind="uitd", address="0a0000000001", building=a1)
    d_b = Device.objects.create(kind="uitd", address="0a0000000002", building=b1)
    sent = timezone.now() - timedelta(hours=1)
    for device, state, seconds in [
        (d_a, "answered", 42),
        (d_a, "answered", 65),
        (d_a, "unanswered", None),
        (d_b, "unreachable", None),
        (d_b, "pending", None),  # not asked yet: not in the rate
    ]:
        DutyCheck.objects.create(
            device=device,
            state=state,
            sent_at=sent,
            answered_at=sent + timedelta(seconds=seconds) if seconds else None,
        )
    town = login("town_a")
    page = town.get(reverse("monitoring:duty_check_list")).content.decode()
    assert a1.name in page and b1.name not in page and ">42<" in page and ">65<" in page
    rates = login("detachment").get(reverse("monitoring:duty_rates")).content.decode()
    assert "66.7%" in rates and "0.0%" in rates
    assert rates.index(b1.code) < rates.index(a1.code)  # worst first
    town_b = login("detachment").get(
        reverse("monitoring:duty_rates"), {"town": world.regions["town_b"].pk}
    )
    assert b1.code in town_b.content.decode() and a1.code not in town_b.content.decode()
    tab = town.get(a1.get_absolute_url() + "?tab=monitoring").content.decode()
    assert "66.7%" in tab


@pytest.mark.django_db
def test_schedules_are_set_by_the_centre_and_by_a_building_s_editors(world: World, login) -> None:
    a1 = world.buildings["res_a1"]
    op = login("operator")
    bad = op.post(
        reverse("monitoring:duty_schedule_add"),
        {
            "region": world.regions["district"].pk,
            "mode": "fixed",
            "fixed_times": "9点",
            "checks_per_day": 2,
            "start_hour": 8,
            "end_hour": 20,
            "timeout_minutes": 10,
            "enabled": "on",
        },
    )
    assert bad.status_code == 400 and 'data-field-error="fixed_times"' in bad.content.decode()
    ok = op.post(
        reverse("monitoring:duty_schedule_add"),
        {
            "region": world.regions["district"].pk,
            "mode": "random",
            "checks_per_day": 3,
            "start_hour": 8,
            "end_hour": 20,
            "timeout_minutes": 10,
            "enabled": "on",
        },
    )
    assert ok.status_code == 302
    district = DutyCheckSchedule.objects.get()
    town = login("town_a")
    # a town edits its building's own schedule, not the district's default
    assert town.get(reverse("monitoring:duty_schedule_edit", args=[district.pk])).status_code == 403
    own = town.post(
        reverse("monitoring:duty_schedule_add"),
        {
            "building": a1.pk,
            "mode": "fixed",
            "fixed_times": "08:30,20:30",
            "checks_per_day": 2,
            "start_hour": 8,
            "end_hour": 20,
            "timeout_minutes": 5,
            "enabled": "on",
        },
    )
    assert own.status_code == 302
    schedule = DutyCheckSchedule.objects.get(building=a1)
    assert ObjectChange.objects.for_object(schedule).get().user_name == "town_a"
    tab = town.get(a1.get_absolute_url() + "?tab=monitoring").content.decode()
    assert "08:30,20:30" in tab
    outside = town.post(
        reverse("monitoring:duty_schedule_add"),
        {
            "building": world.buildings["res_b1"].pk,
            "mode": "fixed",
            "fixed_times": "08:30",
            "checks_per_day": 2,
            "start_hour": 8,
            "end_hour": 20,
            "timeout_minutes": 5,
        },
    )
    assert outside.status_code == 400
    listing = login("town_b").get(reverse("monitoring:duty_schedules")).content.decode()
    assert a1.name not in listing
