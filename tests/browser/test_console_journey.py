"""The operator's journey: a fire alarm appears on the open console by itself and is confirmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from towerwatch.core.testing.world import PASSWORD, build_world
from towerwatch.monitoring.models import AlarmCase, Device

from ..monitoring.test_pages import receive

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_sees_a_new_fire_alarm_without_reloading_and_confirms_it(
    page, shots: Path
) -> None:
    world = build_world()
    Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/buildings/**")
    page.goto(f"{page.base_url}/monitoring/console/")
    page.wait_for_selector("#tw-case-count")
    assert page.locator("[data-fire-case]").count() == 0

    receive("aabbccddeeff", 1, status=0x0002)  # the device reports a fire alarm
    page.wait_for_selector("[data-fire-case]", timeout=8000)  # pushed over Server-Sent Events
    assert "滨江花园1栋" in page.inner_text("#tw-console")
    page.screenshot(path=str(shots / "console.png"), full_page=True)

    page.click("[data-fire-case] button[value=confirmed_fire]")
    page.wait_for_selector(".alert-success")
    assert AlarmCase.objects.get().state == "confirmed_fire"
