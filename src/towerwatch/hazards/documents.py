"""The hazard's documents as PDF: the rectification notice (整改通知书) and the acceptance
record (隐患整改验收/复查记录).

Like the building sign (`buildings/signs.py`), the text is set in reportlab's built-in CJK
CID font STSong-Light (referenced, not embedded: viewers supply a Chinese font) with ASCII
runs in Helvetica. The documents are Chinese official forms, so their fixed wording is
Chinese whatever the interface language, as on the sign. Same input, same bytes
(`invariant=1`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from towerwatch.buildings.signs import CJK_FONT, _ensure_fonts

from .choices import HazardState, PhotoStage, StepKind

__all__ = ["acceptance_pdf", "notice_pdf"]

_ASCII_RUN = re.compile(r"([!-~][ -~]*[!-~]|[!-~])")

BODY = ParagraphStyle("tw-body", fontName=CJK_FONT, fontSize=11, leading=18, wordWrap="CJK")
SMALL = ParagraphStyle("tw-small", parent=BODY, fontSize=9, leading=13)
TITLE = ParagraphStyle(
    "tw-title", parent=BODY, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4
)
NUMBER = ParagraphStyle("tw-number", parent=BODY, fontSize=10, alignment=TA_CENTER)
RIGHT = ParagraphStyle("tw-right", parent=BODY, alignment=TA_RIGHT)
CELL = ParagraphStyle("tw-cell", parent=BODY, fontSize=10, leading=14)
HEAD = ParagraphStyle("tw-head", parent=CELL, textColor=colors.HexColor("#333333"))


def text(value: Any) -> str:
    """Escaped paragraph markup with ASCII runs set in Helvetica (see signs._runs)."""
    raw = escape("" if value is None else str(value))
    return _ASCII_RUN.sub(lambda m: f'<font name="Helvetica">{m.group(0)}</font>', raw).replace(
        "\n", "<br/>"
    )


def p(value: Any, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(text(value), style)


def _date(value: Any) -> str:
    if value is None:
        return "—"
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def _grid(
    rows: Sequence[tuple[str, Any]], widths: tuple[float, float] = (32 * mm, 138 * mm)
) -> Table:
    table = Table(
        [[p(k, HEAD), v if isinstance(v, Paragraph) else p(v or "—", CELL)] for k, v in rows],
        colWidths=widths,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F3F3F3")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _photos(hazard: Any, stage: str, limit: int = 3) -> list[Any]:
    cells = []
    for photo in [ph for ph in hazard.photos.all() if ph.stage == stage][:limit]:
        try:
            img = Image(photo.image.path)
        except (OSError, ValueError, NotImplementedError):
            continue
        scale = min(52 * mm / img.imageWidth, 40 * mm / img.imageHeight)
        img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
        cells.append(img)
    if not cells:
        return []
    return [Spacer(0, 3 * mm), Table([cells], hAlign="LEFT")]


def _location(hazard: Any) -> str:
    b = hazard.building
    parts = [
        b.name,
        f"{hazard.floor}层" if hazard.floor and hazard.floor.isdigit() else hazard.floor,
        hazard.location,
    ]
    return " ".join(x for x in parts if x)


def _facts(hazard: Any, citation: str) -> list[tuple[str, Any]]:
    b = hazard.building
    town = b.region.town.name if b.region.town_id else ""
    return [
        ("建筑", f"{b.name}（{b.code}）"),
        ("地址", f"{town} {b.address}".strip()),
        ("隐患部位", _location(hazard)),
        ("隐患类别", f"{hazard.get_category_display()}（{hazard.get_severity_display()}）"),
        ("隐患情况", f"{hazard.title}\n{hazard.description}".strip()),
        ("发现时间", f"{_date(hazard.found_at)}（{hazard.get_source_display()}）"),
        ("整改期限", f"{_date(hazard.deadline)}前"),
        ("期限依据", citation or "—"),
    ]


def _doc(buffer: io.BytesIO, title: str) -> SimpleDocTemplate:
    _ensure_fonts()
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="TowerWatch",
        invariant=1,
    )


def notice_pdf(hazard: Any, *, citation: str = "", issuer: str = "") -> bytes:
    """The rectification notice (消防安全隐患整改通知书) to the responsible unit."""
    with translation.override("zh-hans"):  # an official form: choice labels in Chinese
        return _notice_pdf(hazard, citation=citation, issuer=issuer)


def _notice_pdf(hazard: Any, *, citation: str, issuer: str) -> bytes:
    buffer = io.BytesIO()
    doc = _doc(buffer, f"整改通知书 {hazard.code}")
    unit = hazard.responsible_org.name if hazard.responsible_org_id else "____________"
    person = hazard.responsible_person.name if hazard.responsible_person_id else ""
    story: list[Any] = [
        p("消防安全隐患整改通知书", TITLE),
        p(f"编号：{hazard.code}", NUMBER),
        Spacer(0, 6 * mm),
        p(f"{unit}：" + (f"（责任人：{person}）" if person else "")),
        Spacer(0, 2 * mm),
        p(
            f"　　经检查，你单位负责的{hazard.building.name}存在下列消防安全隐患。"
            "依据《中华人民共和国消防法》和《高层民用建筑消防安全管理规定》第三十六条，"
            f"请于{_date(hazard.deadline)}前整改完毕；不能立即整改的，整改期间应当采取"
            "临时措施，确保消防安全。"
        ),
        Spacer(0, 4 * mm),
        _grid([*_facts(hazard, citation), ("临时措施", hazard.interim_measures or "—")]),
        *_photos(hazard, PhotoStage.FOUND),
        Spacer(0, 4 * mm),
        p(
            "　　整改完毕后，请在平台提交整改情况及照片等证据，申请复查验收。"
            "逾期未整改的，将按规定逐级上报并依法处理。"
        ),
        Spacer(0, 12 * mm),
        p(f"签发单位：{issuer or '（盖章）'}", RIGHT),
        p(_date(timezone.localdate()), RIGHT),
        Spacer(0, 12 * mm),
        p("被通知单位签收：________________　　日期：____年__月__日", SMALL),
        p(f"本通知书由 TowerWatch 生成，隐患编号 {hazard.code}。", SMALL),
    ]
    doc.build(story)
    return buffer.getvalue()


CONCLUSION = {
    HazardState.CLOSED: "整改合格，准予销案。",
    HazardState.SUBMITTED: "整改情况已提交，待复查验收。",
    HazardState.VOID: "隐患已作废。",
}


def acceptance_pdf(hazard: Any, *, citation: str = "", issuer: str = "") -> bytes:
    """The acceptance / re-inspection record (隐患整改验收（复查）记录)."""
    with translation.override("zh-hans"):
        return _acceptance_pdf(hazard, citation=citation, issuer=issuer)


def _acceptance_pdf(hazard: Any, *, citation: str, issuer: str) -> bytes:
    buffer = io.BytesIO()
    doc = _doc(buffer, f"验收记录 {hazard.code}")
    steps = list(hazard.steps.all())
    rows = []
    for s in steps:
        if s.kind not in {
            StepKind.TRANSITION,
            StepKind.DEADLINE,
            StepKind.EVIDENCE,
            StepKind.FOUND,
        }:
            continue
        what = s.get_kind_display()
        if s.kind == StepKind.TRANSITION and s.new_state:
            what = f"{HazardState(s.old_state).label if s.old_state in HazardState.values else s.old_state}"
            what += f" → {HazardState(s.new_state).label if s.new_state in HazardState.values else s.new_state}"
        who = (s.actor.get_full_name() or s.actor.username) if s.actor_id else "系统"
        rows.append([p(_date(s.at), CELL), p(str(what), CELL), p(who, CELL), p(s.note or "", CELL)])
    timeline = Table(
        [[p("时间", HEAD), p("环节", HEAD), p("经办", HEAD), p("说明", HEAD)], *rows],
        colWidths=(38 * mm, 40 * mm, 26 * mm, 66 * mm),
        repeatRows=1,
    )
    timeline.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F3F3F3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    closed_on_time = (
        "是"
        if hazard.closed_at and timezone.localdate(hazard.closed_at) <= hazard.deadline
        else ("否" if hazard.closed_at else "—")
    )
    story: list[Any] = [
        p("火灾隐患整改验收（复查）记录", TITLE),
        p(f"隐患编号：{hazard.code}", NUMBER),
        Spacer(0, 6 * mm),
        _grid(
            [
                *_facts(hazard, citation),
                ("责任单位", hazard.responsible_org.name if hazard.responsible_org_id else "—"),
                ("提交整改", _date(hazard.submitted_at) if hazard.submitted_at else "—"),
                ("验收销案", _date(hazard.closed_at) if hazard.closed_at else "—"),
                ("按期整改", closed_on_time),
                ("验收结论", CONCLUSION.get(hazard.state, "尚未整改完毕，不予验收。")),
            ]
        ),
        *_photos(hazard, PhotoStage.EVIDENCE),
        Spacer(0, 5 * mm),
        p("整改及复查经过", HEAD),
        Spacer(0, 2 * mm),
        timeline,
        Spacer(0, 12 * mm),
        p("复查人（签名）：____________　　责任单位（签名）：____________", BODY),
        Spacer(0, 6 * mm),
        p(f"{issuer or '复查单位（盖章）'}　{_date(timezone.localdate())}", RIGHT),
    ]
    doc.build(story)
    return buffer.getvalue()
