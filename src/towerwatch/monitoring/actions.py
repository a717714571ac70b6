"""Writes to the monitoring registry."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction

from towerwatch.core.actions import delete_object, save_object

from .models import AlarmCase, Device, DutyCheckSchedule, Event, Panel, Point, Threshold


@transaction.atomic
def bind_device(device: Device, *, building: Any, name: str = "", acting_user: Any) -> Device:
    """Bind a device (typically from the unregistered queue) to its building.

    What it sent before it was bound follows it: its past events and cases take the building, so
    they show on the building's file and in the scope of those who see the building.
    """
    device.building = building
    if name:
        device.name = name
    save_object(device, acting_user=acting_user)
    Event.objects.filter(device=device, building__isnull=True).update(building=building)
    AlarmCase.objects.filter(device=device, building__isnull=True).update(building=building)
    return device


@transaction.atomic
def issue_ingest_token(device: Device, *, acting_user: Any) -> str:
    """A new HTTP ingestion token for `device` (shown once; only its SHA-256 is kept)."""
    token = secrets.token_urlsafe(32)
    device.token_hash = hashlib.sha256(token.encode()).hexdigest()
    save_object(device, acting_user=acting_user)
    return token


@transaction.atomic
def save_device(device: Device, *, acting_user: Any) -> Device:
    """Register or change a device; its building must be one the user sees (else 404)."""
    from .choices import DeviceKind, DeviceProfile

    if device.kind != DeviceKind.UITD and not device.profile:
        device.profile = DeviceProfile.STANDARD
    moved = device.pk is not None and (
        Device.objects.filter(pk=device.pk).values_list("building_id", flat=True).first()
        != device.building_id
    )
    save_object(device, acting_user=acting_user)
    if moved:
        # What it sent while unbound follows it, as when binding from the queue.
        Event.objects.filter(device=device, building__isnull=True).update(building=device.building)
        AlarmCase.objects.filter(device=device, building__isnull=True).update(
            building=device.building
        )
    return device


@transaction.atomic
def delete_device(device: Device, *, acting_user: Any) -> None:
    """Delete a device registered by mistake; one that has reported is protected (history)."""
    delete_object(device, acting_user=acting_user)


@transaction.atomic
def save_panel(panel: Panel, *, acting_user: Any) -> Panel:
    return save_object(panel, acting_user=acting_user)


@transaction.atomic
def delete_panel(panel: Panel, *, acting_user: Any) -> None:
    delete_object(panel, acting_user=acting_user)


@transaction.atomic
def save_point(point: Point, *, acting_user: Any) -> Point:
    return save_object(point, acting_user=acting_user)


@transaction.atomic
def delete_point(point: Point, *, acting_user: Any) -> None:
    delete_object(point, acting_user=acting_user)


@transaction.atomic
def save_threshold(threshold: Threshold, *, acting_user: Any) -> Threshold:
    """Save a sensor point's threshold; a threshold from the rule set takes the rule's bounds.

    Bounds typed in beside a rule are kept (a stricter local value); empty ones are filled
    from the rule, and so is an empty unit.
    """
    if threshold.rule_key:
        from towerwatch.rules.ruleset import MissingRule, RuleSet

        try:
            value = RuleSet.current().value(threshold.rule_key)
        except MissingRule:
            value = None  # full_clean reports the unknown rule on its field
        if isinstance(value, dict):
            if threshold.low is None and threshold.high is None:
                threshold.low, threshold.high = value.get("low"), value.get("high")
            threshold.unit = threshold.unit or value.get("unit") or ""
    return save_object(threshold, acting_user=acting_user)


@transaction.atomic
def delete_threshold(threshold: Threshold, *, acting_user: Any) -> None:
    delete_object(threshold, acting_user=acting_user)


@transaction.atomic
def save_duty_schedule(schedule: DutyCheckSchedule, *, acting_user: Any) -> DutyCheckSchedule:
    """Save a region's default or a building's own duty-check schedule."""
    return save_object(schedule, acting_user=acting_user)


@transaction.atomic
def delete_duty_schedule(schedule: DutyCheckSchedule, *, acting_user: Any) -> None:
    delete_object(schedule, acting_user=acting_user)
