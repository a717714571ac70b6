"""Checklist templates: shipped as data, cited, versioned; an edit never changes a past record."""

from __future__ import annotations

import pytest
from django.http import Http404

from towerwatch.hazards.choices import HazardCategory
from towerwatch.inspections import actions
from towerwatch.inspections.choices import BuildingType, WorkKind
from towerwatch.inspections.loader import shipped_templates, sync_templates
from towerwatch.inspections.models import ChecklistTemplate, RecordItem

pytestmark = pytest.mark.django_db


def test_every_shipped_template_is_loaded_with_clauses_and_hazard_categories(db):
    shipped = shipped_templates()
    assert {t["kind"] for t in shipped} == set(WorkKind.values)
    patrol_types = {t["building_type"] for t in shipped if t["kind"] == "patrol"}
    assert patrol_types == {"residential", "public", "super_high_rise", "care"}
    current = ChecklistTemplate.objects.filter(is_current=True)
    assert current.count() == len(shipped)
    for template in current:
        items = list(template.items.all())
        assert items, template.key
        for item in items:
            assert item.clause, (template.key, item.code)
            assert item.hazard_category in HazardCategory.values
    # Art. 35's eight items and the fire-lane / e-bike rules are in the residential inspection.
    inspection = current.get(key="inspection.residential")
    clauses = " ".join(inspection.items.values_list("clause", flat=True))
    for n in "一二三四五六七八":
        assert f"第三十五条（{n}）" in clauses
    categories = set(inspection.items.values_list("hazard_category", flat=True))
    assert {"fire_lane", "ebike", "exit_blocked"} <= categories
    # Loading again writes nothing new.
    assert sync_templates() == 0


def test_the_most_specific_template_is_chosen(world):
    school = world.buildings["school_a2"]
    res = world.buildings["res_a1"]
    assert actions.template_for(school, "patrol").building_type == BuildingType.CARE
    assert actions.template_for(res, "patrol").building_type == BuildingType.RESIDENTIAL
    assert actions.template_for(res, "inspection").key == "inspection.residential"
    assert actions.template_for(res, "full_test").building_type == BuildingType.ANY


def test_editing_a_template_leaves_past_records_unchanged(world):
    admin = world.users["detachment"]
    res = world.buildings["res_a1"]
    old = actions.template_for(res, "patrol")
    record = actions.start_record(acting_user=world.users["property"], building=res, kind="patrol")
    before = list(record.items.values_list("code", "text", "clause", "hazard_category"))

    new = actions.edit_template(
        old,
        acting_user=admin,
        title="住宅巡查（本地版）",
        items=[{"code": "X1", "text": "新检查项", "clause": "本地", "hazard_category": "other"}],
    )
    assert new.version == old.version + 1 and new.is_current and not new.shipped
    old.refresh_from_db()
    assert not old.is_current and old.items.count() == len(before)
    record.refresh_from_db()
    assert record.template_id == old.pk
    assert list(record.items.values_list("code", "text", "clause", "hazard_category")) == before
    # New records use the new version; shipped updates keep the local edit.
    later = actions.start_record(acting_user=world.users["property"], building=res, kind="patrol")
    assert list(later.items.values_list("code", flat=True)) == ["X1"]
    assert sync_templates() == 0
    assert ChecklistTemplate.objects.get(key="patrol.residential", is_current=True) == new
    assert RecordItem.objects.filter(record=record).count() == len(before)


def test_a_shipped_change_becomes_a_new_version(world, monkeypatch):
    from towerwatch.inspections import loader

    original = loader.shipped_templates()
    changed = [dict(t) for t in original]
    target = next(t for t in changed if t["key"] == "drill.any")
    target["items"] = [*target["items"], {"code": "D5", "text": "新增", "clause": "第四十四条"}]
    monkeypatch.setattr(loader, "shipped_templates", lambda: changed)
    assert loader.sync_templates() == 1
    versions = ChecklistTemplate.objects.filter(key="drill.any").order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].is_current and versions[1].items.count() == versions[0].items.count() + 1


@pytest.mark.parametrize("username", ["town_a", "property", "housing", "leadership"])
def test_only_district_wide_editors_may_edit_templates(world, username):
    template = ChecklistTemplate.objects.get(key="patrol.public", is_current=True)
    with pytest.raises(Http404):
        actions.edit_template(
            template,
            acting_user=world.users[username],
            title="x",
            items=[{"code": "1", "text": "x", "clause": "", "hazard_category": "other"}],
        )


def test_template_pages(login, world):
    client = login("detachment")
    template = ChecklistTemplate.objects.get(key="patrol.public", is_current=True)
    assert "高层公共建筑每日防火巡查" in client.get("/inspections/templates/").content.decode()
    response = client.get(f"/inspections/templates/{template.pk}/edit/")
    assert response.status_code == 200
    data = {
        "title": "公共建筑巡查 v2",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-code": "P1",
        "form-0-text": "疏散通道畅通",
        "form-0-clause": "高层规定第三十四条（二）",
        "form-0-hazard_category": "exit_blocked",
    }
    response = client.post(f"/inspections/templates/{template.pk}/edit/", data)
    assert response.status_code == 302
    new = ChecklistTemplate.objects.get(key="patrol.public", is_current=True)
    assert new.version == 2 and new.title == "公共建筑巡查 v2"
    assert login("town_a").get(f"/inspections/templates/{new.pk}/edit/").status_code == 404
