"""Load the shipped rule set (`rules/data/*.yaml`) into the `Rule` table.

New rules are inserted; shipped rules are updated in place, except a value an administrator
set locally (`value_overridden`), which is kept.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
FIELDS = (
    "title",
    "unit",
    "clause",
    "effective_from",
    "superseded_on",
    "source",
    "confidence",
    "note",
    "standard",
)


def shipped_rules() -> list[dict[str, Any]]:
    """Every rule record in the shipped YAML files."""
    records: list[dict[str, Any]] = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        records.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return records


@transaction.atomic
def sync_rules() -> int:
    """Upsert the shipped rules; returns how many rows were written."""
    from .models import Rule

    written = 0
    for rec in shipped_rules():
        defaults = {f: _coerce(f, rec.get(f)) for f in FIELDS}
        rule = Rule.objects.filter(
            key=rec["key"],
            edition=str(rec.get("edition", "")),
            jurisdiction=rec.get("jurisdiction", "national"),
        ).first()
        if rule is None:
            Rule.objects.create(
                key=rec["key"],
                edition=str(rec.get("edition", "")),
                jurisdiction=rec.get("jurisdiction", "national"),
                value=rec.get("value"),
                **defaults,
            )
            written += 1
            continue
        changed = {f: v for f, v in defaults.items() if getattr(rule, f) != v}
        if not rule.value_overridden and rule.value != rec.get("value"):
            changed["value"] = rec.get("value")
        if changed:
            for f, v in changed.items():
                setattr(rule, f, v)
            rule.save()
            written += 1
    return written


def _coerce(field: str, value: Any) -> Any:
    if field in {"effective_from", "superseded_on"} and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if value is None and field not in {"effective_from", "superseded_on"}:
        return ""
    return value


def sync_rules_after_migrate(**kwargs: Any) -> None:
    sync_rules()
