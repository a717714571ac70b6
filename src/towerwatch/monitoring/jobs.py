"""Periodic monitoring work: silent devices and unhandled alarms become cases or escalate;
scheduled duty checks (查岗) are queued for the duty.py path to send."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from towerwatch.rules.ruleset import RuleSet

from .choices import CaseState, DeviceKind, EventKind
from .models import AlarmCase, AlarmFlip, Device, DutyCheck, DutyCheckSchedule


@transaction.atomic
def check_offline(now: datetime | None = None, rules: RuleSet | None = None) -> int:
    """Open an `offline` case for every bound device silent longer than the polling period.

    The period is the rule `monitoring.poll_period_h_max` (GB 50440-2007 §3.0.2-4: the centre
    polls each UITD at least every 2 h). Idempotent: a device with an open offline case is
    skipped (and the partial unique constraint would refuse a second one).
    """
    now = now or timezone.now()
    period = timedelta(hours=(rules or RuleSet.current()).value("monitoring.poll_period_h_max"))
    silent = (
        Device.objects.filter(building__isnull=False)
        .filter(
            Q(last_seen__lt=now - period) | Q(last_seen__isnull=True, created_at__lt=now - period)
        )
        .exclude(cases__state=CaseState.OPEN, cases__kind=EventKind.OFFLINE)
    )
    cases = [
        AlarmCase(
            device=d,
            building_id=d.building_id,
            kind=EventKind.OFFLINE,
            component_address="",
            description=str(d),
            opened_at=now,
            last_event_at=d.last_seen or d.created_at,
            event_count=0,
        )
        for d in silent
    ]
    AlarmCase.objects.bulk_create(cases)
    AlarmFlip.objects.bulk_create(
        [AlarmFlip(case=c, at=now, new_state=CaseState.OPEN, note="silent") for c in cases]
    )
    return len(cases)


def resolve_offline(device_ids: Iterable[int], now: datetime) -> None:
    """A device that reports again closes its offline case (called inside the ingest transaction)."""
    ids = list(device_ids)
    open_cases = AlarmCase.objects.filter(
        device_id__in=ids, kind=EventKind.OFFLINE, state=CaseState.OPEN
    )
    closed = list(open_cases.values_list("pk", flat=True))
    if closed and AlarmCase.objects.filter(pk__in=closed, state=CaseState.OPEN).update(
        state=CaseState.RESOLVED, closed_at=now
    ):
        AlarmFlip.objects.bulk_create(
            [
                AlarmFlip(
                    case_id=pk,
                    at=now,
                    old_state=CaseState.OPEN,
                    new_state=CaseState.RESOLVED,
                    note="the device reported again",
                )
                for pk in closed
            ]
        )


@transaction.atomic
def escalate_cases(now: datetime | None = None, rules: RuleSet | None = None) -> int:
    """Escalate open fire-alarm cases nobody handled in time, one step per rule entry.

    Steps come from the rule `monitoring.fire_alarm_escalation` (local policy, configurable):
    the building's chain, then the town, then the detachment. A step is taken once: the
    compare-and-swap on `escalation_level` decides, so two workers never notify twice.
    """
    from towerwatch.notifications.actions import notify_level

    now = now or timezone.now()
    steps = (rules or RuleSet.current()).value("monitoring.fire_alarm_escalation")
    taken = 0
    open_fires = AlarmCase.objects.filter(
        state=CaseState.OPEN, kind=EventKind.FIRE_ALARM
    ).select_related("building")
    for case in open_fires:
        elapsed = (now - case.opened_at).total_seconds()
        due = sum(1 for step in steps if elapsed >= step["after_s"])
        if due <= case.escalation_level:
            continue
        won = AlarmCase.objects.filter(pk=case.pk, escalation_level=case.escalation_level).update(
            escalation_level=due
        )
        if won != 1:
            continue
        for step in steps[case.escalation_level : due]:
            AlarmFlip.objects.create(
                case=case,
                at=now,
                old_state=CaseState.OPEN,
                new_state=CaseState.OPEN,
                note=f"escalated: {step['level']} (unhandled {int(elapsed)} s)",
            )
            notify_level(step["level"], case)
            taken += 1
    return taken


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
