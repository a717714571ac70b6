"""A printable A4 sheet of a building's checkpoint QR codes (six to a page, cut and post)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from towerwatch.buildings import signs

COLS, ROWS = 2, 3


def checkpoint_sheet_pdf(building: Any, checkpoints: Sequence[Any], url_of: Any) -> bytes:
    """One cell per checkpoint: its QR code (the scan URL), name, place and the building."""
    signs._ensure_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    canvas.setTitle(f"{building.code} 巡查点")
    width, height = A4
    margin = 12 * mm
    cell_w = (width - 2 * margin) / COLS
    cell_h = (height - 2 * margin) / ROWS
    per_page = COLS * ROWS
    for n, cp in enumerate(checkpoints):
        if n and n % per_page == 0:
            canvas.showPage()
        slot = n % per_page
        x = margin + (slot % COLS) * cell_w
        y = height - margin - (slot // COLS + 1) * cell_h
        canvas.setStrokeColor(signs.RULE)
        canvas.setDash(3, 3)
        canvas.rect(x, y, cell_w, cell_h, stroke=1, fill=0)
        canvas.setDash()
        side = min(cell_w, cell_h) - 30 * mm
        qr = signs._make_qr(url_of(cp))
        signs._draw_qr(canvas, qr.matrix, x + (cell_w - side) / 2, y + 22 * mm, side)
        canvas.setFillColor(signs.FIRE_RED)
        canvas.setFont(signs.CJK_FONT, 14)
        canvas.drawCentredString(x + cell_w / 2, y + cell_h - 9 * mm, "消防巡查点")
        canvas.setFillColor(signs.INK)
        canvas.setFont(signs.CJK_FONT, 13)
        canvas.drawCentredString(x + cell_w / 2, y + 15 * mm, f"{cp.order + 1}. {cp.name}"[:24])
        canvas.setFillColor(signs.MUTED)
        canvas.setFont(signs.CJK_FONT, 9)
        canvas.drawCentredString(x + cell_w / 2, y + 9 * mm, (cp.location or "")[:30])
        canvas.drawCentredString(
            x + cell_w / 2, y + 4 * mm, f"{building.name} {building.code}"[:34]
        )
    if not checkpoints:
        canvas.setFont(signs.CJK_FONT, 14)
        canvas.drawString(margin, height - margin - 20, f"{building.name}：尚未设置巡查点")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
