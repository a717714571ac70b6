"""Store what devices send, set-based, in one transaction per batch (architecture §5).

`store_frames` is the only writer of the ingest path: it is called from the GB/T 26875.3
server's writer thread with a batch of frames and returns only after the transaction has
committed, so the server confirms (确认) nothing that is not durably stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import AUTO_RESOLVED_KINDS, CASE_KINDS, CaseState, DeviceKind, EventKind
from .duty import record_answers
from .gb26875 import Adu, Frame, RawAdu, decode_adu, frame_to_dict
from .gb26875.adu import (
    ComponentStatus,
    DeviceOperation,
    DeviceStatus,
    SystemOperation,
    SystemStatus,
)
from .gb26875.frame import DEFAULT_PROFILE, Profile
from .jobs import resolve_offline
from .models import AlarmCase, AlarmFlip, Device, Event, ReceivedFrame

#: Status flags that are signals in their own right (GB/T 26875.3 Figs. 6, 7, 13).
STATUS_EVENTS = {
    "fire_alarm": EventKind.FIRE_ALARM,
    "fault": EventKind.FAULT,
    "disabled": EventKind.DISABLED,
    "supervisory": EventKind.SUPERVISORY,
    "started": EventKind.STARTED,
    "feedback": EventKind.FEEDBACK,
    "power_fault": EventKind.POWER_FAULT,
    "main_power_fault": EventKind.POWER_FAULT,
    "backup_power_fault": EventKind.POWER_FAULT,
}


#: 查岗应答: bit 5 of a UITD's operation byte (GB/T 26875.3 Fig. 14).
DUTY_ANSWER_BIT = 1 << 5


@dataclass(frozen=True)
class Incoming:
    """One frame from one device, as the server read it."""

    frame: Frame
    raw: bytes
    received_at: datetime
    profile: Profile = DEFAULT_PROFILE

    @property
    def address(self) -> str:
        return self.frame.source.hex()

    @property
    def is_heartbeat(self) -> bool:
        """An empty ADU: it only proves the device is alive (refreshes `last_seen`)."""
        return not self.frame.adu

    @cached_property
    def adu(self) -> Adu | RawAdu | Exception | None:
        """The ADU decoded once for both the stored description and the events (or the error)."""
        try:
            return decode_adu(self.frame.adu, profile=self.profile)
        except Exception as exc:  # kept raw in the frame row; no signal to derive
            return exc


def fingerprint(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@transaction.atomic
def store_frames(batch: Sequence[Incoming]) -> None:
    """Store a batch: devices (unknown ones created unbound), frames once each, their events."""
    if not batch:
        return
    devices = _devices({item.address for item in batch}, min(i.received_at for i in batch))
    stored = _new_frames(batch, devices)
    events = [
        event for item, frame in stored for event in _events(item, frame, devices[item.address])
    ]
    Event.objects.bulk_create(events, batch_size=1000)
    update_cases(events)
    record_answers(
        (e.device_id, e.at)
        for e in events
        if e.kind == EventKind.OPERATION and e.status is not None and e.status & DUTY_ANSWER_BIT
    )
    last_seen = max(item.received_at for item in batch)
    Device.objects.filter(pk__in=[d.pk for d in devices.values()]).update(last_seen=last_seen)
    resolve_offline([d.pk for d in devices.values()], last_seen)


def _devices(addresses: set[str], seen: datetime) -> dict[str, Device]:
    found = {
        d.address: d for d in Device.objects.filter(kind=DeviceKind.UITD, address__in=addresses)
    }
    missing = [
        Device(kind=DeviceKind.UITD, address=a, first_seen=seen) for a in addresses - set(found)
    ]
    if missing:
        # Nothing a device sends is dropped: an unknown device waits, unbound, for an operator.
        Device.objects.bulk_create(missing, ignore_conflicts=True)
        found = {
            d.address: d for d in Device.objects.filter(kind=DeviceKind.UITD, address__in=addresses)
        }
    return found


def _new_frames(
    batch: Sequence[Incoming], devices: dict[str, Device]
) -> list[tuple[Incoming, ReceivedFrame]]:
    """Insert the frames not stored before (a resent frame is stored once) and return them."""
    candidates = [(item, fingerprint(item.raw)) for item in batch if not item.is_heartbeat]
    if not candidates:
        return []
    seen = set(
        ReceivedFrame.objects.filter(
            device__in=[devices[item.address] for item, _ in candidates],
            fingerprint__in=[fp for _, fp in candidates],
        ).values_list("device_id", "fingerprint")
    )
    rows: list[tuple[Incoming, ReceivedFrame]] = []
    for item, fp in candidates:
        device = devices[item.address]
        if (device.pk, fp) in seen:
            continue
        seen.add((device.pk, fp))
        rows.append(
            (
                item,
                ReceivedFrame(
                    device=device,
                    received_at=item.received_at,
                    sent_at=item.frame.sent_at.to_datetime(item.profile.time_zone),
                    serial=item.frame.serial,
                    command=item.frame.command,
                    adu_type=item.frame.adu[0] if item.frame.adu else None,
                    raw=item.raw,
                    fingerprint=fp,
                    decoded=_describe(item),
                ),
            )
        )
    ReceivedFrame.objects.bulk_create([row for _, row in rows], batch_size=1000)
    return rows


def _describe(item: Incoming) -> dict[str, Any]:
    if isinstance(item.adu, Exception):
        return {"error": str(item.adu), "adu": item.frame.adu.hex()}
    return frame_to_dict(item.frame, profile=item.profile, adu=item.adu)


def _events(item: Incoming, frame: ReceivedFrame, device: Device) -> Iterable[Event]:
    adu = item.adu
    if not isinstance(adu, Adu):
        return []
    events = []
    for obj in adu.objects:
        for kind in _kinds(obj):
            at = getattr(obj, "at", None)
            events.append(
                Event(
                    device=device,
                    building_id=device.building_id,
                    frame=frame,
                    at=(at.to_datetime(item.profile.time_zone) if at else None) or item.received_at,
                    kind=kind,
                    system_type=getattr(obj, "system_type", None),
                    system_address=getattr(obj, "system_address", None),
                    component_type=getattr(obj, "component_type", None),
                    component_address=getattr(obj, "component_address", b"").hex(),
                    status=getattr(obj, "status", getattr(obj, "operation", None)),
                    description=getattr(obj, "description", "")[:64],
                )
            )
    return events


def _kinds(obj: Any) -> list[str]:
    """The normalized kinds one information object signals."""
    if isinstance(obj, (SystemStatus, ComponentStatus, DeviceStatus)):
        kinds = sorted({STATUS_EVENTS[f] for f in obj.flags if f in STATUS_EVENTS})
        if kinds:
            return kinds
        # Nothing abnormal reported: a status upload that clears the point (复位/恢复).
        return [] if isinstance(obj, DeviceStatus) else [EventKind.RESTORE]
    if isinstance(obj, (SystemOperation, DeviceOperation)):
        return [EventKind.OPERATION] if obj.flags else []
    return []


def update_cases(events: Sequence[Event]) -> None:
    """Open a case per new (device, point, kind) signal, fold repeats into the open case, and
    close fault-like cases when their point reports it is back to normal."""
    groups: dict[tuple[int, str, str], list[Event]] = {}
    restored: set[tuple[int, str]] = set()
    for event in events:
        if event.kind in CASE_KINDS:
            groups.setdefault((event.device_id, event.component_address, event.kind), []).append(
                event
            )
        elif event.kind == EventKind.RESTORE:
            restored.add((event.device_id, event.component_address))
    now = timezone.now()
    if groups:
        open_cases = {
            (c.device_id, c.component_address, c.kind): c
            for c in AlarmCase.objects.filter(
                state=CaseState.OPEN,
                device_id__in={k[0] for k in groups},
                kind__in={k[2] for k in groups},
            )
        }
        new_cases = []
        for key, signals in groups.items():
            case = open_cases.get(key)
            last = max(e.at for e in signals)
            if case is not None:
                AlarmCase.objects.filter(pk=case.pk).update(
                    event_count=F("event_count") + len(signals), last_event_at=last
                )
                continue
            first = min(signals, key=lambda e: (e.at, e.pk))
            new_cases.append(
                AlarmCase(
                    device_id=key[0],
                    building_id=first.building_id,
                    kind=key[2],
                    component_address=key[1],
                    description=first.description,
                    opened_at=first.at,
                    first_event=first,
                    last_event_at=last,
                    event_count=len(signals),
                )
            )
        AlarmCase.objects.bulk_create(new_cases)
        AlarmFlip.objects.bulk_create(
            [AlarmFlip(case=c, at=now, old_state="", new_state=CaseState.OPEN) for c in new_cases]
        )
    if restored:
        # One query for all restored points (a batch carries thousands of "back to normal").
        closing = [
            c.pk
            for c in AlarmCase.objects.filter(
                state=CaseState.OPEN,
                kind__in=AUTO_RESOLVED_KINDS,
                device_id__in={d for d, _a in restored},
            ).only("pk", "device_id", "component_address")
            if (c.device_id, c.component_address) in restored
        ]
        if closing:
            AlarmCase.objects.filter(pk__in=closing, state=CaseState.OPEN).update(
                state=CaseState.RESOLVED, closed_at=now
            )
            AlarmFlip.objects.bulk_create(
                [
                    AlarmFlip(
                        case_id=pk,
                        at=now,
                        old_state=CaseState.OPEN,
                        new_state=CaseState.RESOLVED,
                        note="restored by the device",
                    )
                    for pk in closing
                ]
            )
