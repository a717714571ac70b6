"""Writes to the monitoring registry."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction

from towerwatch.core.actions import save_object

from .models import AlarmCase, Device, Event


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
