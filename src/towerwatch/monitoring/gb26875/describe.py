"""JSON-ready descriptions of frames: the output of ``towerwatch gb26875 decode`` (issue #3).

Byte strings (addresses) are lower-case hex in wire order; time labels are ISO 8601 in the
profile's zone (China local time by default), or None when a label names no valid instant.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from towerwatch.monitoring.gb26875.adu import (
    Adu,
    ComponentAnalog,
    InfoObject,
    RawAdu,
    decode_adu,
)
from towerwatch.monitoring.gb26875.frame import DEFAULT_PROFILE, Frame, Profile, TimeLabel


def frame_to_dict(
    frame: Frame,
    *,
    profile: Profile = DEFAULT_PROFILE,
    checksum_ok: bool = True,
    adu: Adu | RawAdu | bool | None = False,
) -> dict[str, Any]:
    """The frame as a dict; raises `AduError` when its ADU does not match its type's layout.

    Pass the already decoded ``adu`` to avoid decoding it again (``False``: decode here).
    """
    decoded = decode_adu(frame.adu, profile=profile) if adu is False else adu
    return {
        "serial": frame.serial,
        "version": list(frame.version),
        "sent_at": time_to_json(frame.sent_at, profile),
        "source": frame.source.hex(),
        "destination": frame.destination.hex(),
        "command": frame.command,
        "checksum_ok": checksum_ok,
        "adu": adu_to_dict(decoded, profile=profile),  # type: ignore[arg-type]
    }


def adu_to_dict(
    adu: Adu | RawAdu | None, *, profile: Profile = DEFAULT_PROFILE
) -> dict[str, Any] | None:
    """``{"type", "objects"}``; a `RawAdu` adds ``count`` and ``raw`` (hex); empty ADU → None."""
    if adu is None:
        return None
    if isinstance(adu, RawAdu):
        return {"type": adu.type, "objects": [], "count": adu.count, "raw": adu.data.hex()}
    return {
        "type": adu.type,
        "objects": [object_to_dict(obj, profile=profile) for obj in adu.objects],
    }


def object_to_dict(obj: InfoObject, *, profile: Profile = DEFAULT_PROFILE) -> dict[str, Any]:
    """One information object, keys in the standard's field order (Table 3).

    ``flags`` follows the status or operation word it names; an analog value is followed by
    its ``unit`` and ``scaled_value`` (Table 6).
    """
    out: dict[str, Any] = {}
    flag_field = obj.FLAG_FIELD
    analog = isinstance(obj, ComponentAnalog)
    for name in _field_names(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, TimeLabel):
            out[name] = time_to_json(value, profile)
        elif isinstance(value, bytes):
            out[name] = value.hex()
        else:
            out[name] = value
        if name == flag_field:
            out["flags"] = list(obj.flags)
        if analog and name == "value":
            out["unit"] = obj.unit  # type: ignore[attr-defined]
            out["scaled_value"] = obj.scaled_value  # type: ignore[attr-defined]
    return out


@functools.cache
def _field_names(cls: type[InfoObject]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]


def time_to_json(label: TimeLabel, profile: Profile = DEFAULT_PROFILE) -> str | None:
    """ISO 8601 local time with its offset, or None for a label naming no valid instant."""
    moment = label.to_datetime(profile.time_zone)
    return moment.isoformat() if moment else None
