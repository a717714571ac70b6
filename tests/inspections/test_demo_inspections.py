"""The demo's records: deterministic, and a realistic mix of done, due soon, overdue, never."""

from __future__ import annotations

from collections import Counter

import pytest

from towerwatch.buildings.models import Building
from towerwatch.demo import load_demo
from towerwatch.inspections.compliance import compute
from towerwatch.inspections.models import InspectionRecord


def _facts():
    return list(
        InspectionRecord.objects.order_by("building__code", "kind").values_list(
            "building__code", "kind", "signed_at__date", "template__key"
        )
    )


@pytest.mark.django_db
def test_demo_records_are_deterministic_and_mixed(client):
    load_demo(buildings=120, seed=7)
    first = _facts()
    assert first and all(r.items.exists() for r in InspectionRecord.objects.all()[:20])
    states = Counter(c.state for s in compute(Building.objects.all()) for c in s.cells.values())
    assert {"ok", "overdue", "never"} <= set(states)
    assert states["ok"] > states["overdue"] > 0
    load_demo(buildings=120, seed=7)
    assert _facts() == first
    assert client.login(username="town", password="towerwatch")
    assert client.get("/inspections/compliance/").status_code == 200
    # Pages render demo records (signed without a recorded user).
    record = InspectionRecord.objects.filter(building__region__town__isnull=False).first()
    assert client.get(record.get_absolute_url()).status_code in (200, 404)
    detachment = client.__class__()
    assert detachment.login(username="detachment", password="towerwatch")
    for url in (
        record.get_absolute_url(),
        f"/inspections/building/{record.building_id}/",
        "/inspections/",
        "/inspections/compliance/?by=company",
    ):
        assert detachment.get(url).status_code == 200, url
