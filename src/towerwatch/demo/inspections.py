"""Demo patrols, inspections, tests, assessments and drills: a realistic mix of due and overdue.

Deterministic for a seed: each building draws a profile from the loader's random generator
(diligent, slipping or neglected) and its records are placed that many days before the load
day, so the compliance pages always show the same shares whatever day the demo is loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from towerwatch.buildings.choices import Stage
from towerwatch.buildings.models import Building
from towerwatch.inspections.actions import building_type_of
from towerwatch.inspections.choices import SCHEDULED_KINDS, RecordState, Result
from towerwatch.inspections.loader import sync_templates
from towerwatch.inspections.models import (
    ChecklistTemplate,
    Checkpoint,
    InspectionRecord,
    RecordItem,
)

CHECKPOINTS = ("一楼大堂", "消防控制室", "消防水泵房", "屋顶消防水箱")

#: Days before the load day the last record of each kind was signed, per profile: (low, high).
PROFILES: dict[str, dict[str, tuple[int, int] | None]] = {
    "diligent": {
        "patrol": (0, 0),
        "inspection": (1, 12),
        "full_test": (20, 300),
        "assessment": (20, 300),
        "drill": (10, 150),
    },
    "slipping": {
        "patrol": (2, 6),
        "inspection": (14, 45),
        "full_test": (330, 420),
        "assessment": (200, 380),
        "drill": (150, 400),
    },
    "neglected": {
        "patrol": None,
        "inspection": (60, 200),
        "full_test": None,
        "assessment": None,
        "drill": None,
    },
}
SHARES = (("diligent", 0.6), ("slipping", 0.28), ("neglected", 0.12))
REGISTERED_DAYS_AGO = 400
CHUNK = 1000  # buildings per write


def write_inspections(loader: Any) -> dict[str, int]:
    """Checkpoints and signed records for every high-rise building in use."""
    sync_templates()  # the wipe may have taken locally edited templates with their editors
    rng = loader.rng
    now = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    buildings = list(
        Building.objects.filter(is_high_rise=True, stage=Stage.IN_USE)
        .order_by("pk")
        .only("pk", "use", "category", "is_super_high_rise")
    )
    # Registered well before the first record, so "never done" shows as overdue.
    Building.objects.filter(pk__in=[b.pk for b in buildings]).update(
        created_at=now - dt.timedelta(days=REGISTERED_DAYS_AGO)
    )
    templates: dict[tuple[str, str], ChecklistTemplate] = {}
    items_of: dict[int, list[Any]] = {}
    for t in ChecklistTemplate.objects.filter(is_current=True).prefetch_related("items"):
        templates[(t.kind, t.building_type)] = t
        items_of[t.pk] = list(t.items.all())
    counts = {"checkpoints": 0, "records": 0, "items": 0}
    checkpoints: list[Checkpoint] = []
    records: list[InspectionRecord] = []
    answers: list[tuple[InspectionRecord, RecordItem]] = []
    for n, b in enumerate(buildings, 1):
        for order, name in enumerate(CHECKPOINTS[: rng.randint(2, 4)]):
            checkpoints.append(
                Checkpoint(building=b, name=name, order=order, token=f"demo{b.pk:07d}{order}")
            )
        draw, profile = rng.random(), "neglected"
        for name, share in SHARES:
            if draw < share:
                profile = name
                break
            draw -= share
        types = building_type_of(b)
        for kind in SCHEDULED_KINDS:
            span = PROFILES[profile][kind]
            if span is None:
                continue
            template = next(templates[(kind, t)] for t in types if (kind, t) in templates)
            signed = now - dt.timedelta(days=rng.randint(*span), minutes=rng.randint(0, 480))
            record = InspectionRecord(
                building=b,
                kind=kind,
                template=template,
                state=RecordState.SIGNED,
                started_at=signed - dt.timedelta(minutes=40),
                signed_at=signed,
            )
            records.append(record)
            for item in items_of[template.pk]:
                answers.append(
                    (
                        record,
                        RecordItem(
                            order=item.order,
                            code=item.code,
                            text=item.text,
                            clause=item.clause,
                            hazard_category=item.hazard_category,
                            result=Result.NA if rng.random() < 0.05 else Result.PASS,
                            answered_at=signed - dt.timedelta(minutes=5),
                        ),
                    )
                )
        if n % CHUNK == 0 or n == len(buildings):  # write as we go: memory stays small
            _flush(checkpoints, records, answers, counts)
    return counts


def _flush(
    checkpoints: list[Checkpoint],
    records: list[InspectionRecord],
    answers: list[tuple[InspectionRecord, RecordItem]],
    counts: dict[str, int],
) -> None:
    Checkpoint.objects.bulk_create(checkpoints, batch_size=2000)
    InspectionRecord.objects.bulk_create(records, batch_size=2000)
    for record, item in answers:
        item.record = record
    RecordItem.objects.bulk_create([i for _r, i in answers], batch_size=5000)
    counts["checkpoints"] += len(checkpoints)
    counts["records"] += len(records)
    counts["items"] += len(answers)
    checkpoints.clear()
    records.clear()
    answers.clear()
