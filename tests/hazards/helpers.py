"""Shared helpers for the hazard tests: a real PNG upload and a hazard in a given state."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from towerwatch.hazards.actions import open_hazard
from towerwatch.hazards.models import Hazard


def png(name: str = "fixed.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def make_hazard(world: Any, building: str = "res_a1", state: str = "open", **kw: Any) -> Hazard:
    defaults: dict[str, Any] = {
        "source": "patrol",
        "category": "exit_blocked",
        "title": "安全出口堆放杂物",
    }
    defaults.update(kw)
    hazard = open_hazard(acting_user=None, building=world.buildings[building], **defaults)
    if state != "open":
        Hazard.objects.filter(pk=hazard.pk).update(state=state)
        hazard.refresh_from_db()
    return hazard
