"""The rectification notice and acceptance record (PDF, CJK text extractable) and the ledger."""

from __future__ import annotations

import base64
import io
import os
import re
import zlib

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from towerwatch.core.models import AuditEvent, AuditKind
from towerwatch.hazards.ledger import LEDGER_COLUMNS

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, decoded as a viewer's text extraction (search, copy) reads it.

    reportlab writes ASCII85 + Flate content streams; strings set in a Type0 (CID) font with
    the UniGB-UCS2-H encoding are UCS-2 big-endian, the others Latin-1. Line breaks become
    nothing, so a phrase wrapped across lines is still found.
    """
    cid_fonts = set(re.findall(rb"/Name /(F\d+) /Subtype /Type0", data))
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        raw = raw.strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        try:
            stream = zlib.decompress(raw)
        except zlib.error:
            continue
        font = b""
        for name, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", stream):
            if name:
                font = name
                continue
            value = re.sub(rb"\\(\d{3})", lambda m: bytes([int(m.group(1), 8)]), literal)
            value = re.sub(rb"\\(.)", rb"\1", value)
            out.append(value.decode("utf-16-be" if font in cid_fonts else "latin-1", "replace"))
    return "".join(out)


def _save(name: str, data: bytes) -> None:
    target = os.environ.get("TOWERWATCH_KEEP_PDF")
    if target:
        with open(os.path.join(target, name), "wb") as fh:
            fh.write(data)


def test_notice_pdf_has_the_chinese_facts(world, hazards, login):
    lane = hazards["lane_a1"]
    response = login("town_a").get(reverse("hazards:hazard_document", args=[lane.pk, "notice"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"STSong-Light" in response.content
    _save("notice.pdf", response.content)
    text = pdf_text(response.content)
    for expected in (
        "消防安全隐患整改通知书",
        "津城物业",
        "滨江花园1栋",
        "消防车道被私家车占用",
        "第三十六条",
        lane.code,
        "设置警示标志",
    ):
        assert expected in text, expected
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, detail__what="hazard-notice").exists()


def test_acceptance_record_states_the_conclusion(world, hazards, login):
    school = hazards["school"]
    response = login("detachment").get(
        reverse("hazards:hazard_document", args=[school.pk, "acceptance"])
    )
    assert response.status_code == 200
    _save("acceptance.pdf", response.content)
    text = pdf_text(response.content)
    assert "火灾隐患整改验收（复查）记录" in text
    assert "整改合格，准予销案。" in text and "江津中学教学楼" in text
    open_one = login("town_a").get(
        reverse("hazards:hazard_document", args=[hazards["lane_a1"].pk, "acceptance"])
    )
    assert "尚未整改完毕" in pdf_text(open_one.content)


def test_unknown_document_is_404(world, hazards, login):
    url = reverse("hazards:hazard_document", args=[hazards["lane_a1"].pk, "other"])
    assert login("town_a").get(url).status_code == 404


def test_ledger_xlsx_of_a_filtered_list(world, hazards, login):
    client = login("town_a")
    response = client.get(reverse("hazards:hazard_list"), {"is_open": "true", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="hazard-ledger-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(header) == len(LEDGER_COLUMNS)
    with translation.override("en"):
        keys = [str(label) for label, _fn in LEDGER_COLUMNS]
    by_code = {r[0]: dict(zip(keys, r, strict=True)) for r in body}
    # town_a sees res_a1 and school_a2; the open ones are lane_a1 and exit_a1.
    assert set(by_code) == {hazards["lane_a1"].code, hazards["exit_a1"].code}
    exit_row = by_code[hazards["exit_a1"].code]
    assert exit_row["building code"] == world.buildings["res_a1"].code
    assert exit_row["responsible unit"] == "津城物业"
    assert exit_row["days overdue"] == 9
    assert "第三十六条" in exit_row["deadline rule"]
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT, detail__what="hazard-ledger")
    assert event.detail["rows"] == 2 and event.detail["filters"] == {"is_open": "true"}


def test_ledger_csv_is_scoped(world, hazards, login):
    response = login("property").get(reverse("hazards:hazard_list"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert hazards["lane_a1"].code in body and hazards["ebike_b1"].code not in body
