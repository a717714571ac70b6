"""The building's QR sign (towerwatch.buildings.signs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import segno

from towerwatch.buildings import signs
from towerwatch.buildings.signs import qr_svg, sign_pdf

URL = "https://towerwatch.example.cn/p/7kQ2xZp9aB3c/"

SAMPLE = {
    "code": "CQ-YZ-000127",
    "name": "渝中区解放碑环球金融中心",
    "address": "重庆市渝中区解放碑街道民族路188号",
    "class_label": "一类高层公共建筑（超高层）",
    "citation": "依据《建筑设计防火规范》GB 50016-2014（2018年版）第5.1.1条、表5.1.1",
    "manager_name": "张建国",
    "manager_phone_masked": "138****5678",
    "url": URL,
    "district_name": "重庆市渝中区消防救援支队",
}

# Exactly as reportlab 5 writes the page boxes (A4 = 210 x 297 mm, A5 = 148 x 210 mm).
MEDIABOX = {
    "A4": b"/MediaBox [ 0 0 595.2756 841.8898 ]",
    "A5": b"/MediaBox [ 0 0 419.5276 595.2756 ]",
}

SVG_NS = "{http://www.w3.org/2000/svg}"


# ---- qr_svg ------------------------------------------------------------------------------


def test_qr_svg_is_well_formed_inline_svg():
    svg = qr_svg(URL)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("class") == "tw-qr"


@pytest.mark.parametrize("scale", [1, 4, 7])
def test_qr_svg_size_reflects_matrix_and_quiet_zone(scale):
    qr = segno.make(URL, error="m", micro=False, boost_error=False)
    modules = len(qr.matrix) + 2 * 4  # symbol plus a 4-module quiet zone on each side
    root = ET.fromstring(qr_svg(URL, scale=scale))  # noqa: S314 - our own output
    assert int(root.get("width")) == modules * scale
    assert int(root.get("height")) == modules * scale


def test_qr_svg_uses_error_correction_m_and_regular_qr():
    qr = signs._make_qr(URL)
    assert qr.error == "M"
    assert not qr.is_micro
    # Same matrix as segno's own encoder at level M.
    assert len(qr.matrix) == len(segno.make_qr(URL, error="m", boost_error=False).matrix)


def test_qr_svg_differs_per_url():
    assert qr_svg(URL) != qr_svg(URL + "x")


# ---- sign_pdf ----------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["A4", "A5"])
def test_sign_pdf_is_a_one_page_pdf_of_the_right_size(page_size):
    pdf = sign_pdf(**SAMPLE, page_size=page_size)
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert MEDIABOX[page_size] in pdf
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert b"STSong-Light" in pdf


def test_sign_pdf_defaults_to_a4():
    assert MEDIABOX["A4"] in sign_pdf(**SAMPLE)


@pytest.mark.parametrize("page_size", ["A4", "A5"])
def test_sign_pdf_is_deterministic(page_size):
    assert sign_pdf(**SAMPLE, page_size=page_size) == sign_pdf(**SAMPLE, page_size=page_size)


def test_sign_pdf_depends_on_content():
    assert sign_pdf(**SAMPLE) != sign_pdf(**{**SAMPLE, "url": URL + "x"})


@pytest.mark.parametrize("page_size", ["a4", "A3", "Letter", ""])
def test_sign_pdf_rejects_other_page_sizes(page_size):
    with pytest.raises(ValueError, match="page_size"):
        sign_pdf(**SAMPLE, page_size=page_size)


LONG = {
    **SAMPLE,
    "name": "重庆市渝中区解放碑街道民族路国际金融中心及配套商业综合体一期工程超高层塔楼" * 3,
    "address": "重庆市渝中区解放碑街道民族路188号附1号至附36号及地下一层至地下三层停车库" * 3,
    "citation": "依据《建筑设计防火规范》GB 50016-2014（2018年版）第5.1.1条、表5.1.1" * 4,
}


@pytest.mark.parametrize("page_size", ["A4", "A5"])
@pytest.mark.parametrize("data", [SAMPLE, LONG], ids=["sample", "long-texts"])
def test_sign_layout_keeps_qr_large_and_clear(monkeypatch, page_size, data):
    """The QR code takes >= 60 % of the page width and overlaps no text, even for long texts."""
    texts: list[tuple[str, float, float]] = []
    qrs: list[tuple[int, float, float, float]] = []
    draw_text, draw_qr = signs._draw_text, signs._draw_qr

    def spy_text(canvas, x, y, text, *, size, **kwargs):
        texts.append((text, y, size))
        draw_text(canvas, x, y, text, size=size, **kwargs)

    def spy_qr(canvas, matrix, x, y, side):
        qrs.append((len(matrix), x, y, side))
        draw_qr(canvas, matrix, x, y, side)

    monkeypatch.setattr(signs, "_draw_text", spy_text)
    monkeypatch.setattr(signs, "_draw_qr", spy_qr)
    sign_pdf(**data, page_size=page_size)

    page_w, page_h = signs.PAGE_SIZES[page_size]
    [(n, x, y, side)] = qrs
    assert n == len(segno.make_qr(data["url"], error="m", boost_error=False).matrix)
    assert side >= 0.60 * page_w
    assert 0 < x and x + side < page_w
    by_text = {text: (baseline, size) for text, baseline, size in texts}
    code_baseline, _ = by_text[data["code"]]
    hint_baseline, hint_size = by_text[signs.SCAN_HINT]
    assert code_baseline > y + side  # the code sits above the QR code ...
    assert hint_baseline + hint_size < y  # ... and the hint below it
    # Every text line is on the page.
    assert all(0 < baseline < page_h for _, baseline, _ in texts)


def test_wrap_keeps_latin_runs_whole_and_cuts_with_ellipsis():
    signs._ensure_fonts()
    lines = signs._wrap("依据GB 50016-2014第5.1.1条", 10, 60)
    assert "".join(lines).replace(" ", "") == "依据GB50016-2014第5.1.1条"
    assert any("50016-2014" in line for line in lines)
    cut = signs._wrap_lines("高层建筑" * 20, 10, 100, 2)
    assert len(cut) == 2
    assert cut[-1].endswith("…")
    assert all(signs._width(line, 10) <= 100 for line in cut)


# ---- rendering ---------------------------------------------------------------------------

PDFTOPPM = "/usr/bin/pdftoppm"


@pytest.mark.skipif(
    not os.path.exists(PDFTOPPM) and os.environ.get("CI") != "true",
    reason="poppler-utils (pdftoppm) is not installed",
)
def test_sign_pdf_renders_with_poppler(tmp_path):
    assert shutil.which(PDFTOPPM), "CI=true requires poppler-utils (pdftoppm)"
    pdf = tmp_path / "sign.pdf"
    pdf.write_bytes(sign_pdf(**SAMPLE))
    subprocess.run(
        [
            PDFTOPPM,
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    png = tmp_path / "page.png"
    assert png.exists()
    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.stat().st_size > 5 * 1024
