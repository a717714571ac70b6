"""查岗 (duty checks): send type 91 over a device's live connection, record the answer, expire."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import CaseState, DeviceKind, DutyCheckState, EventKind
from .gb26875 import Adu, encode_frame
from .gb26875.adu import DutyCheck as DutyCheckObject
from .gb26875.adu import adu_frame
from .gb26875.server import GB26875Server
from .models import AlarmCase, AlarmFlip, Device, DutyCheck, DutyCheckSchedule

CENTRE = bytes(6)


async def send_duty_checks(server: GB26875Server) -> int:
    """Send every pending duty check whose device is connected; the rest are unreachable."""
    loop = asyncio.get_running_loop()
    pending = await loop.run_in_executor(server._db, _pending)
    now = timezone.now()
    results = []
    for check_id, address, minutes in pending:
        destination = bytes.fromhex(address)

        def build(serial: int, destination: bytes = destination, minutes: int = minutes) -> bytes:
            adu = Adu(type=91, objects=(DutyCheckObject(timeout_minutes=min(minutes, 255)),))
            return encode_frame(
                adu_frame(adu, serial=serial, source=CENTRE, destination=destination, sent_at=now)
            )

        results.append((check_id, server.send(address, build), now))
    if results:
        await loop.run_in_executor(server._db, _mark_sent, results)
    return sum(1 for _id, serial, _at in results if serial is not None)


def _pending() -> list[tuple[int, str, int]]:
    checks = DutyCheck.objects.filter(state=DutyCheckState.PENDING).select_related("device")[:500]
    return [(c.pk, c.device.address, c.timeout_minutes) for c in checks]


@transaction.atomic
def _mark_sent(results: Sequence[tuple[int, int | None, datetime]]) -> None:
    for check_id, serial, at in results:
        if serial is None:
            won = DutyCheck.objects.filter(pk=check_id, state=DutyCheckState.PENDING).update(
                state=DutyCheckState.UNREACHABLE
            )
            check = DutyCheck.objects.select_related("device").get(pk=check_id)
            if won and check.scheduled_for is not None:
                # Nobody could be asked: a scheduled check counts as unanswered at once.
                _open_case(check, at, "device not connected")
        else:
            DutyCheck.objects.filter(pk=check_id, state=DutyCheckState.PENDING).update(
                state=DutyCheckState.SENT, serial=serial, sent_at=at
            )


def record_answers(answers: Iterable[tuple[int, datetime]]) -> None:
    """Type 24 uploads with the 查岗应答 bit answer the device's open duty check (in the ingest transaction)."""
    for device_id, at in answers:
        DutyCheck.objects.filter(device_id=device_id, state=DutyCheckState.SENT).update(
            state=DutyCheckState.ANSWERED, answered_at=at
        )


@transaction.atomic
def expire_duty_checks(now: datetime | None = None) -> int:
    """A check not answered within its timeout becomes unanswered and opens a case.

    One open case per device (kind `duty_unanswered`): further unanswered checks fold into it
    (`event_count`), so a control room that never answers is one case, not one a check.
    """
    now = now or timezone.now()
    expired = [
        c
        for c in DutyCheck.objects.filter(state=DutyCheckState.SENT).select_related("device")
        if c.sent_at and c.sent_at + timedelta(minutes=c.timeout_minutes) < now
    ]
    opened = 0
    for check in expired:
        if (
            DutyCheck.objects.filter(pk=check.pk, state=DutyCheckState.SENT).update(
                state=DutyCheckState.UNANSWERED
            )
            != 1
        ):
            continue
        opened += _open_case(check, now, f"no answer within {check.timeout_minutes} min")
    return opened


def _open_case(check: DutyCheck, now: datetime, note: str) -> int:
    """Open the device's duty case, or fold this check into the open one; 1 if opened."""
    folded = AlarmCase.objects.filter(
        device=check.device,
        component_address=DUTY_POINT,
        kind=EventKind.DUTY_UNANSWERED,
        state=CaseState.OPEN,
    ).update(event_count=F("event_count") + 1, last_event_at=check.sent_at or now)
    if folded:
        return 0
    case = AlarmCase.objects.create(
        device=check.device,
        building_id=check.device.building_id,
        kind=EventKind.DUTY_UNANSWERED,
        component_address=DUTY_POINT,
        description=str(check.device),
        opened_at=now,
        last_event_at=check.sent_at or now,
        event_count=1,
    )
    AlarmFlip.objects.create(case=case, at=now, new_state=CaseState.OPEN, note=note)
    return 1


#: The pseudo point of a device's duty-check case.
DUTY_POINT = "duty"
#: Slots missed by more than this (a worker was down) are not sent late.
SCHEDULE_LOOKBACK = timedelta(minutes=10)


def slots_on(schedule: DutyCheckSchedule, building_id: int, day: date) -> list[datetime]:
    """The times `schedule` checks building `building_id` on `day` (local time), sorted.

    Random times are drawn from a generator seeded with the schedule, building and day, so
    every worker, and a restarted one, draws the same.
    """
    tz = timezone.get_current_timezone()
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    if schedule.mode == DutyCheckSchedule.Mode.FIXED:
        minutes = [h * 60 + m for h, m in schedule.times()]
    else:
        rng = random.Random(f"{schedule.pk}:{building_id}:{day.isoformat()}")
        window = range(schedule.start_hour * 60, schedule.end_hour * 60)
        minutes = sorted(rng.sample(window, min(schedule.checks_per_day, len(window))))
    return [midnight + timedelta(minutes=m) for m in minutes]


def schedule_duty_checks(now: datetime | None = None) -> int:
    """Queue the duty checks whose scheduled time has come (the worker runs this every minute).

    For each UITD bound to a building: the building's own schedule, else the one of the
    nearest region above it. A slot due within the last `SCHEDULE_LOOKBACK` becomes a pending
    `DutyCheck` (sent by `send_duty_checks` within a second); the unique (device, slot)
    constraint makes this safe to run in every worker.
    """
    now = now or timezone.now()
    schedules = list(DutyCheckSchedule.objects.filter(enabled=True))
    if not schedules:
        return 0
    own = {s.building_id: s for s in schedules if s.building_id}
    regional = {s.region_id: s for s in schedules if s.region_id}
    local_now = timezone.localtime(now)
    days = sorted({local_now.date(), timezone.localtime(now - SCHEDULE_LOOKBACK).date()})
    due: list[DutyCheck] = []
    devices = Device.objects.filter(kind=DeviceKind.UITD, building__isnull=False).values_list(
        "pk", "building_id", "building__region__path"
    )
    for device_id, building_id, path in devices.iterator(chunk_size=5000):
        schedule = own.get(building_id)
        if schedule is None:
            for region_id in reversed([int(p) for p in path.strip("/").split("/") if p]):
                schedule = regional.get(region_id)
                if schedule is not None:
                    break
        if schedule is None:
            continue
        for day in days:
            for slot in slots_on(schedule, building_id, day):
                if now - SCHEDULE_LOOKBACK < slot <= now:
                    due.append(
                        DutyCheck(
                            device_id=device_id,
                            schedule=schedule,
                            scheduled_for=slot,
                            timeout_minutes=schedule.timeout_minutes,
                        )
                    )
    if not due:
        return 0
    before = DutyCheck.objects.filter(scheduled_for__gt=now - SCHEDULE_LOOKBACK).count()
    DutyCheck.objects.bulk_create(due, ignore_conflicts=True, batch_size=1000)
    return DutyCheck.objects.filter(scheduled_for__gt=now - SCHEDULE_LOOKBACK).count() - before
