"""The building's QR sign (一楼一码): an inline SVG for pages and a printable PDF sign.

The PDF uses reportlab's built-in CJK CID font ``STSong-Light`` (Adobe-GB1), so Chinese
text needs no font files on the server: the font is referenced, not embedded, and PDF
viewers supply it (poppler needs ``poppler-data`` plus a Chinese font such as
``fonts-wqy-zenhei``).  The QR code is drawn as vector rectangles straight from segno's
module matrix, so it stays crisp at any print size.

Both functions are pure: the same input gives the same bytes (the canvas is created with
``invariant=1``, which pins the creation date and document id).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import segno
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["PAGE_SIZES", "qr_svg", "sign_pdf"]

PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "A5": A5}

# The QR code (quiet zone included) is never narrower than this share of the page width.
MIN_QR_FRACTION = 0.60

# Quiet zone around the QR symbol, in modules (ISO/IEC 18004 requires 4).
QUIET_ZONE = 4

CJK_FONT = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"

FIRE_RED = HexColor("#C8161D")
DARK_RED = HexColor("#9E0F14")
INK = HexColor("#1A1A1A")
MUTED = HexColor("#555555")
RULE = HexColor("#BBBBBB")
PANEL = HexColor("#FBF4F4")

TITLE = "高楼消防码"
SCAN_HINT = "扫码查看建筑消防信息、举报火灾隐患"
FOOTER = "TowerWatch 高层建筑消防安全管理平台"

# Break opportunities for wrapping mixed Chinese/Latin text: a run of Latin letters, digits
# and ASCII punctuation stays together; every other character (CJK) may break anywhere.
_TOKEN_RE = re.compile(r"[!-~]+|\s+|.", re.DOTALL)
_ASCII_RUN_RE = re.compile(r"([ -~]+)")


def _make_qr(url: str) -> segno.QRCode:
    """Encode ``url`` as a regular (not Micro) QR code at error correction level M."""
    return segno.make(url, error="m", micro=False, boost_error=False)


def qr_svg(url: str, scale: int = 4) -> str:
    """Return the QR code for ``url`` as an inline ``<svg class="tw-qr">`` element.

    No XML declaration, so the string can be dropped straight into an HTML page; the
    4-module quiet zone is included.
    """
    buf = io.BytesIO()
    _make_qr(url).save(
        buf,
        kind="svg",
        scale=scale,
        border=QUIET_ZONE,
        xmldecl=False,
        svgns=True,
        svgclass="tw-qr",
        nl=False,
    )
    return buf.getvalue().decode("utf-8")


def _ensure_fonts() -> None:
    """Register the built-in CJK CID font once per process."""
    try:
        pdfmetrics.getFont(CJK_FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(segment, font)`` runs: ASCII in Helvetica, the rest in CJK.

    Only the CJK font's metrics are known for sure when a viewer substitutes a local
    Chinese font for the non-embedded STSong-Light; its Latin glyphs then come out badly
    spaced.  Helvetica is one of the standard 14 fonts every viewer has, so Latin letters,
    digits and ASCII punctuation are set in it instead.
    """
    if font != CJK_FONT:
        return [(text, font)]
    runs: list[tuple[str, str]] = []
    for part in _ASCII_RUN_RE.split(text):
        if part:
            runs.append((part, LATIN if part.isascii() else CJK_FONT))
    return runs


def _width(text: str, size: float, font: str = CJK_FONT) -> float:
    return sum(pdfmetrics.stringWidth(seg, f, size) for seg, f in _runs(text, font))


def _wrap(text: str, size: float, max_width: float, font: str = CJK_FONT) -> list[str]:
    """Greedy line wrapping that breaks between CJK characters and keeps Latin runs whole."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN_RE.findall(" ".join(text.split())):
        candidate = line + token
        if line and _width(candidate, size, font) > max_width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _wrap_lines(
    text: str, size: float, max_width: float, max_lines: int, font: str = CJK_FONT
) -> list[str]:
    """Wrap into at most ``max_lines`` lines, ending the last one with "…" if text was cut."""
    lines = _wrap(text, size, max_width, font)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and _width(last + "…", size, font) > max_width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + "…"]


def _fit_size(
    text: str, size: float, max_width: float, min_size: float, font: str = CJK_FONT
) -> float:
    """Shrink ``size`` until ``text`` fits on one line, but not below ``min_size``."""
    width = _width(text, size, font)
    if width <= max_width:
        return size
    return max(min_size, size * max_width / width)


def _draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    color: Color = INK,
    font: str = CJK_FONT,
    align: str = "left",
    bold: bool = False,
) -> None:
    """Draw one line of text; ``bold`` fakes a heavier weight by also stroking the glyphs.

    STSong-Light has no bold face, so headings are filled and stroked with a thin outline
    in the same colour (text render mode 2).
    """
    if align == "center":
        x -= _width(text, size, font) / 2
    elif align == "right":
        x -= _width(text, size, font)
    # The text render mode is graphics state and would leak into later text: isolate it.
    canvas.saveState()
    obj = canvas.beginText(x, y)
    obj.setFont(font, size)
    obj.setFillColor(color)
    if bold:
        canvas.setStrokeColor(color)
        canvas.setLineWidth(size * 0.035)
        obj.setTextRenderMode(2)
    else:
        obj.setTextRenderMode(0)
    for segment, segment_font in _runs(text, font):
        obj.setFont(segment_font, size)
        obj.textOut(segment)
    canvas.drawText(obj)
    canvas.restoreState()


def _draw_qr(
    canvas: Canvas, matrix: Sequence[Sequence[int]], x: float, y: float, side: float
) -> None:
    """Draw the QR ``matrix`` as filled vector rectangles in the square at (x, y) of ``side``.

    ``side`` includes the quiet zone.  Horizontal runs of dark modules are merged into one
    rectangle each, all in a single path, which keeps the file small and avoids hairline
    seams between neighbouring modules in most renderers.
    """
    n = len(matrix)
    module = side / (n + 2 * QUIET_ZONE)
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    path = canvas.beginPath()
    top = y + side - QUIET_ZONE * module
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(
                    x + (QUIET_ZONE + start) * module,
                    top - (r + 1) * module,
                    (c - start) * module,
                    module,
                )
            else:
                c += 1
    canvas.setFillColor(HexColor("#000000"))
    canvas.drawPath(path, stroke=0, fill=1)


def sign_pdf(
    *,
    code: str,
    name: str,
    address: str,
    class_label: str,
    citation: str,
    manager_name: str,
    manager_phone_masked: str,
    url: str,
    district_name: str,
    page_size: str = "A4",
) -> bytes:
    """Render the printable building sign (高楼消防码) as a one-page portrait PDF.

    ``page_size`` is "A4" or "A5"; A5 is the same layout scaled down (A5 is A4 / √2).
    Raises ``ValueError`` for any other page size.
    """
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {page_size!r}")
    _ensure_fonts()
    page_w, page_h = PAGE_SIZES[page_size]
    # Lay out in A4 points and scale: every length below is multiplied by `u`.
    u = page_w / A4[0]

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(page_w, page_h), invariant=1, pageCompression=1)
    canvas.setTitle(f"{TITLE} {code} {name}")
    canvas.setAuthor("TowerWatch")
    canvas.setSubject(f"{district_name} {name}")
    canvas.setCreator("TowerWatch")

    margin = 30 * u
    inner_w = page_w - 2 * margin
    cx = page_w / 2

    # ---- Red header band: title and district ------------------------------------------
    band_h = 106 * u
    canvas.setFillColor(FIRE_RED)
    canvas.rect(0, page_h - band_h, page_w, band_h, stroke=0, fill=1)
    canvas.setFillColor(DARK_RED)
    canvas.rect(0, page_h - band_h, page_w, 6 * u, stroke=0, fill=1)
    _draw_text(
        canvas, cx, page_h - 58 * u, TITLE, size=44 * u, color=white, align="center", bold=True
    )
    district_size = _fit_size(district_name, 17 * u, inner_w, 10 * u)
    _draw_text(
        canvas, cx, page_h - 87 * u, district_name, size=district_size, color=white, align="center"
    )

    # ---- Building name (one line if it fits, else up to two) and code -----------------
    # Long names shrink to one line, then wrap to two smaller lines (cut with "…"), so the
    # name never takes more height than 1.25 × 36 pt and the QR code keeps its room.
    name_size = _fit_size(name, 32 * u, inner_w, 20 * u)
    if _width(name, name_size) > inner_w:
        name_size = 18 * u
    name_lines = _wrap_lines(name, name_size, inner_w, 2)
    y = page_h - band_h - 10 * u - name_size
    for line in name_lines:
        _draw_text(canvas, cx, y, line, size=name_size, align="center", bold=True)
        y -= name_size * 1.25
    code_size = 17 * u
    y -= 2 * u
    _draw_text(canvas, cx, y, code, size=code_size, font=LATIN_BOLD, color=MUTED, align="center")
    qr_top_limit = y - 18 * u  # leave room for the frame below the code

    # The rest is laid out from the bottom of the page up, then the QR code takes what is
    # left in between.

    # ---- Footer ----------------------------------------------------------------------------
    canvas.setStrokeColor(FIRE_RED)
    canvas.setLineWidth(1.2 * u)
    rule_y = margin + 22 * u
    canvas.line(margin, rule_y, page_w - margin, rule_y)
    _draw_text(canvas, cx, margin + 6 * u, FOOTER, size=10.5 * u, color=MUTED, align="center")

    # ---- Address (one or two lines) --------------------------------------------------------
    addr_size = 12.5 * u
    addr_leading = addr_size * 1.4
    addr_lines = _wrap_lines("地址：" + address, addr_size, inner_w, 2)
    y = rule_y + 16 * u + addr_leading * (len(addr_lines) - 1)
    addr_top = y + addr_size
    for line in addr_lines:
        _draw_text(canvas, cx, y, line, size=addr_size, align="center")
        y -= addr_leading

    # ---- Information box: class, citation, fire-safety manager ------------------------
    box_h = 94 * u
    box_y = addr_top + 12 * u
    box_top = box_y + box_h
    canvas.setFillColor(PANEL)
    canvas.setStrokeColor(FIRE_RED)
    canvas.setLineWidth(1 * u)
    canvas.roundRect(margin, box_y, inner_w, box_h, radius=6 * u, stroke=1, fill=1)
    pad = 16 * u
    label_size = 13 * u
    label_w = _width("消防安全管理人", label_size) + 14 * u
    text_x = margin + pad + label_w
    text_w = inner_w - 2 * pad - label_w

    row_y = box_top - 24 * u
    _draw_text(canvas, margin + pad, row_y, "建筑类别", size=label_size, color=MUTED)
    class_size = _fit_size(class_label, 15 * u, text_w, 10 * u)
    _draw_text(canvas, text_x, row_y, class_label, size=class_size, bold=True)
    cite_size = 8.5 * u
    cite_y = row_y - 16 * u
    for line in _wrap_lines(citation, cite_size, text_w, 2):
        _draw_text(canvas, text_x, cite_y, line, size=cite_size, color=MUTED)
        cite_y -= cite_size * 1.4

    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5 * u)
    sep_y = box_y + 34 * u
    canvas.line(margin + pad, sep_y, margin + inner_w - pad, sep_y)

    row_y = box_y + 12 * u
    _draw_text(canvas, margin + pad, row_y, "消防安全管理人", size=label_size, color=MUTED)
    manager = f"{manager_name}    {manager_phone_masked}".strip()
    manager_size = _fit_size(manager, 15 * u, text_w, 10 * u)
    _draw_text(canvas, text_x, row_y, manager, size=manager_size, bold=True)

    # ---- URL (for those who type it) and the scan hint ---------------------------------
    url_y = box_top + 14 * u
    url_size = _fit_size(url, 9 * u, inner_w, 6 * u, font=LATIN)
    _draw_text(canvas, cx, url_y, url, size=url_size, font=LATIN, color=MUTED, align="center")
    hint_size = _fit_size(SCAN_HINT, 21 * u, inner_w, 12 * u)
    hint_y = url_y + 9 * u + 12 * u
    _draw_text(
        canvas, cx, hint_y, SCAN_HINT, size=hint_size, color=FIRE_RED, align="center", bold=True
    )
    qr_bottom_limit = hint_y + hint_size + 10 * u

    # ---- QR code, as large as fits (60-72 % of the page width), centred in the gap -------
    available = qr_top_limit - qr_bottom_limit
    side = max(min(available, 0.72 * page_w), MIN_QR_FRACTION * page_w)
    qr_x = cx - side / 2
    qr_y = qr_bottom_limit + (available - side) / 2
    # A red frame just outside the quiet zone marks the code as the official sign.
    canvas.setStrokeColor(FIRE_RED)
    canvas.setLineWidth(2.2 * u)
    frame = 2 * u
    canvas.roundRect(
        qr_x - frame,
        qr_y - frame,
        side + 2 * frame,
        side + 2 * frame,
        radius=10 * u,
        stroke=1,
        fill=0,
    )
    _draw_qr(canvas, _make_qr(url).matrix, qr_x, qr_y, side)

    canvas.showPage()
    canvas.save()
    return buf.getvalue()
