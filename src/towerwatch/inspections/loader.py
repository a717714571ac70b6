"""Load the shipped checklist templates (`inspections/data/*.yaml`) on migrate.

A shipped template is created as version 1. When the shipped content changes, a new version
is written and becomes current (past records keep the version they used). A template an
administrator edited (`shipped=False` on its current version) is left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
ITEM_FIELDS = ("code", "text", "clause", "hazard_category")


def shipped_templates() -> list[dict[str, Any]]:
    """Every template in the shipped YAML files."""
    records: list[dict[str, Any]] = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        records.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return records


def _items(rec: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "code": str(i["code"]),
            "text": i["text"],
            "clause": i.get("clause", ""),
            "hazard_category": i.get("category", "other"),
        }
        for i in rec.get("items", [])
    ]


def items_of(template: Any) -> list[dict[str, str]]:
    return [{f: getattr(i, f) for f in ITEM_FIELDS} for i in template.items.all()]


@transaction.atomic
def sync_templates() -> int:
    """Create or update the shipped templates; returns how many versions were written."""
    from .models import ChecklistTemplate

    written = 0
    for rec in shipped_templates():
        current = ChecklistTemplate.objects.filter(key=rec["key"], is_current=True).first()
        items = _items(rec)
        if current is not None:
            if not current.shipped:
                continue  # an administrator's edit wins over shipped updates
            same = (
                current.title == rec["title"]
                and current.kind == rec["kind"]
                and current.building_type == rec.get("building_type", "any")
                and items_of(current) == items
            )
            if same:
                continue
        write_version(
            key=rec["key"],
            kind=rec["kind"],
            building_type=rec.get("building_type", "any"),
            title=rec["title"],
            items=items,
            shipped=True,
            user=None,
        )
        written += 1
    return written


def write_version(
    *,
    key: str,
    kind: str,
    building_type: str,
    title: str,
    items: list[dict[str, str]],
    shipped: bool,
    user: Any,
) -> Any:
    """Retire the current version of `key` (if any) and write the next one with `items`."""
    from .models import ChecklistItem, ChecklistTemplate

    previous = (
        ChecklistTemplate.objects.select_for_update().filter(key=key).order_by("-version").first()
    )
    ChecklistTemplate.objects.filter(key=key, is_current=True).update(is_current=False)
    template = ChecklistTemplate.objects.create(
        key=key,
        version=(previous.version + 1) if previous else 1,
        kind=kind,
        building_type=building_type,
        title=title,
        is_current=True,
        shipped=shipped,
        edited_by=user,
    )
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(template=template, order=n, **item) for n, item in enumerate(items)]
    )
    return template


def sync_templates_after_migrate(**kwargs: Any) -> None:
    sync_templates()
