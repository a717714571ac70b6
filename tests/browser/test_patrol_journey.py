"""A patrol on a phone: start at the building, scan a checkpoint, fail an item with a photo,
sign off and see the hazard it opened (issue 4)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from towerwatch.core.testing.world import PASSWORD, build_world
from towerwatch.hazards.models import Hazard
from towerwatch.inspections.actions import add_checkpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_patrol_on_a_phone(page, shots: Path, tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    building = world.buildings["res_a1"]
    lobby = add_checkpoint(
        acting_user=world.users["property"], building=building, name="一楼大堂", location="电梯厅"
    )
    elsewhere = add_checkpoint(
        acting_user=world.users["detachment"], building=world.buildings["res_b1"], name="车库"
    )
    photo = tmp_path / "lane.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())

    page.set_viewport_size({"width": 390, "height": 844})
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "property")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/buildings/**")

    # From the building's public QR page, staff start a patrol.
    page.goto(base + building.public_url)
    page.click("#tw-start-patrol")
    page.wait_for_url(f"**/inspections/building/{building.pk}/")
    assert page.locator("#tw-schedule").is_visible()
    page.select_option("#tw-kind", "patrol")
    page.click("#tw-start button[type=submit]")
    page.wait_for_url("**/inspections/record/**")
    record_url = page.url
    page.screenshot(path=str(shots / "patrol-start.png"), full_page=True)

    # Scanning the lobby checkpoint (its QR code opens this URL) records presence.
    page.goto(base + lobby.get_absolute_url())
    page.wait_for_url(record_url)
    assert "一楼大堂" in page.inner_text("#tw-checkpoints")
    assert page.locator("#tw-checkpoints .bi-check-circle-fill").count() == 1
    # A checkpoint of a building outside the company's scope does not exist for it.
    assert page.goto(base + elsewhere.get_absolute_url()).status == 404
    page.goto(record_url)

    # Signing off with unanswered items is refused.
    page.click("#tw-sign button[type=submit]")
    page.wait_for_selector(".alert-danger")
    assert "P1" in page.inner_text(".alert-danger")

    items = page.locator(".tw-item")
    count = items.count()
    for n in range(count):
        item = items.nth(n)
        code = item.get_attribute("data-code")
        if code == "P3":  # the fire lane: fail it with a note and a photo
            item.locator("label.btn-outline-danger").click()
            item.locator("input[name=note]").fill("私家车占用消防车道")
            item.locator("input[type=file]").set_input_files(str(photo))
        else:
            item.locator("label.btn-outline-success").click()
        item.locator("button[type=submit]").click()
        page.wait_for_load_state()
        items = page.locator(".tw-item")
    page.screenshot(path=str(shots / "patrol-answered.png"), full_page=True)
    lane = page.locator(".tw-item[data-code=P3]")
    assert lane.locator("img").count() == 1

    # Touch targets are large enough for a thumb.
    box = page.locator("#tw-sign button[type=submit]").bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 300

    page.click("#tw-sign button[type=submit]")
    page.wait_for_selector("#tw-signed")
    hazard = Hazard.objects.get()
    assert hazard.source == "patrol" and hazard.category == "fire_lane"
    alert = page.locator(".tw-item[data-code=P3] .tw-hazard")
    assert hazard.code in alert.inner_text()
    page.screenshot(path=str(shots / "patrol-signed.png"), full_page=True)
