"""Log in, filter the list, open a building, see its class and QR code (issue 2's journey)."""

from __future__ import annotations

from pathlib import Path

import pytest

from towerwatch.core.testing.world import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_town_officer_finds_a_building_and_sees_its_class_and_qr(page, shots: Path) -> None:
    world = build_world()
    base = page.base_url
    page.goto(f"{base}/buildings/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "town_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/buildings/**")
    table = page.locator("#tw-table")
    assert world.buildings["res_a1"].code in table.inner_text()
    assert world.buildings["school_a2"].code in table.inner_text()
    page.screenshot(path=str(shots / "building-list.png"), full_page=True)

    # Filter by class 1: HTMX swaps the table in place.
    page.select_option("#id_fire_class", "class1")
    page.wait_for_function(
        "code => !document.querySelector('#tw-table').innerText.includes(code)",
        arg=world.buildings["school_a2"].code,
    )
    assert world.buildings["res_a1"].code in table.inner_text()

    page.click(f"text={world.buildings['res_a1'].code}")
    page.wait_for_selector("#tw-class")
    assert "一类高层" in page.inner_text("#tw-class") or "class 1" in page.inner_text("#tw-class")
    assert "GB 50016-2014(2018) 表5.1.1" in page.inner_text("#tw-reasons")
    assert page.locator("#tw-qr svg").count() == 1
    page.screenshot(path=str(shots / "building-file.png"), full_page=True)

    # The responsibility tab shows the chain and what is missing.
    page.click("button[data-bs-target='#tab-responsibility']")
    page.wait_for_selector("#tab-responsibility.show")
    assert "张伟" in page.inner_text("#tab-responsibility")


def test_public_qr_page_on_a_phone(page, shots: Path) -> None:
    world = build_world()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + world.buildings["res_a1"].public_url)
    assert world.buildings["res_a1"].name in page.inner_text("body")
    assert "138****5678" in page.inner_text("body")
    page.screenshot(path=str(shots / "public-page.png"), full_page=True)


def test_pickers_suggest_from_the_scope_and_filter_the_list(page) -> None:
    world = build_world()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "town_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/buildings/**")
    # Suggestions come from the town's scope: its property company, not town B's.
    page.fill("#id_manager_search", "物业")
    page.wait_for_function(
        "[...document.querySelectorAll('#id_manager_list option')].map(o => o.value).join() === '津城物业'"
    )
    suggestions = page.eval_on_selector_all("#id_manager_list option", "os => os.map(o => o.value)")
    assert suggestions == ["津城物业"]
    page.fill("#id_manager_search", "津城物业")
    page.wait_for_function(
        "code => !document.querySelector('#tw-table').innerText.includes(code)",
        arg=world.buildings["school_a2"].code,
    )
    assert world.buildings["res_a1"].code in page.inner_text("#tw-table")
    assert page.input_value("#id_manager") == str(world.orgs["property"].pk)

    # Add a link to the responsibility chain with the person picker.
    page.goto(page.base_url + world.buildings["res_a1"].get_absolute_url() + "?tab=responsibility")
    page.select_option("#tab-responsibility select[name=role]", "town_leader")
    page.fill("#id_person_search", "李")
    page.wait_for_function(
        "[...document.querySelectorAll('#id_person_list option')].some(o => o.value.startsWith('李强'))"
    )
    label = page.eval_on_selector_all(
        "#id_person_list option", "os => os.map(o => o.value).find(v => v.startsWith('李强'))"
    )
    page.fill("#id_person_search", label)
    page.click("#tab-responsibility button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "李强" in page.inner_text("#tab-responsibility")
