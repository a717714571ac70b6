"""The demo's hazards (spread over the loop, some overdue, deterministic) and the fast xlsx
writer the ledger uses (read back with openpyxl)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from towerwatch.core.xlsx import xlsx_stream_bytes
from towerwatch.demo import load_demo
from towerwatch.hazards.models import Hazard, HazardStep

#: Excel cells carry no zone: the exports write local times, naive.
NAIVE = dt.datetime


@pytest.mark.django_db(transaction=True)
def test_demo_hazards_spread_over_the_loop():
    load_demo(buildings=150)
    # The demo's own hazards: numbers 1–120 (reports and inspections continue the counter).
    ours = Hazard.objects.filter(code__regex=r"-000(0\d\d|1[01]\d|120)$")
    first = list(ours.order_by("code").values_list("code", "building__code", "state"))
    states = Counter(state for _c, _b, state in first)
    assert len(first) == 120
    assert states["closed"] > 40 and states["rectifying"] and states["submitted"]
    assert Hazard.objects.overdue().exists()
    # Every hazard has its "found" step, and one step per state it went through.
    assert HazardStep.objects.filter(kind="found", hazard__in=ours).count() == 120
    closed = ours.filter(state="closed").first()
    assert list(closed.steps.values_list("new_state", flat=True)) == [
        "open", "assigned", "rectifying", "submitted", "closed"
    ]  # fmt: skip
    load_demo(buildings=150)
    again = list(ours.order_by("code").values_list("code", "building__code", "state"))
    assert again == first


def test_fast_xlsx_round_trip():
    rows = [
        ["YH2026-000001", "消防车道<占用>&", 3, 2.5, dt.date(2026, 1, 2), None, "是"],
        ["YH2026-000002", "bad\x01char", 0, -1.0, NAIVE(2026, 1, 2, 8, 30), "", "否"],
    ]
    data = xlsx_stream_bytes("隐患台账", ["编号", "标题", "n", "x", "日期", "空", "按期"], rows)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws.title == "隐患台账"
    got = list(ws.iter_rows(values_only=True))
    assert got[0] == ("编号", "标题", "n", "x", "日期", "空", "按期")
    assert got[1] == (
        "YH2026-000001",
        "消防车道<占用>&",
        3,
        2.5,
        NAIVE(2026, 1, 2),
        None,
        "是",
    )
    assert got[2][1] == "badchar" and got[2][4] == NAIVE(2026, 1, 2, 8, 30)
    assert ws.cell(1, 1).font.b
