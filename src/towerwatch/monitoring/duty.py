"""查岗 (duty checks): send type 91 over a device's live connection, record the answer, expire."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import CaseState, DutyCheckState, EventKind
from .gb26875 import Adu, encode_frame
from .gb26875.adu import DutyCheck as DutyCheckObject
from .gb26875.adu import adu_frame
from .gb26875.server import GB26875Server
from .models import AlarmCase, AlarmFlip, DutyCheck

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
