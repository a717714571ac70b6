"""Schedules from the rule set per building class; compliance pages; reminders and escalation."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from towerwatch.buildings.actions import save_building
from towerwatch.buildings.models import Building
from towerwatch.core.testing.world import build_world
from towerwatch.inspections import actions
from towerwatch.inspections.compliance import Schedule, compute
from towerwatch.inspections.jobs import remind_and_escalate
from towerwatch.inspections.models import ScheduleNotice
from towerwatch.notifications.models import Notification
from towerwatch.rules.models import Rule
from towerwatch.rules.ruleset import RuleSet

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=CST)


def _super_public(world):
    return save_building(
        Building(
            name="江津金融中心",
            address="滨江路8号",
            region=world.regions["grid_a1"],
            height_m=Decimal("150"),
            storeys_above=40,
            use="office",
        ),
        sectors=[],
        acting_user=None,
    )


def _done(user, building, kind):
    record = actions.start_record(acting_user=user, building=building, kind=kind)
    for item in record.items.all():
        actions.answer_item(item, acting_user=user, result="pass")
    return actions.sign_off(record, acting_user=user)


def test_periods_follow_the_rule_set_per_building_class(world):
    office = _super_public(world)
    schedule = Schedule.from_rules()
    statuses = {s.building_id: s for s in compute(Building.objects.all(), schedule=schedule)}
    res = statuses[world.buildings["res_a1"].pk].cells
    school = statuses[world.buildings["school_a2"].pk].cells
    tower = statuses[office.pk].cells
    assert (res["patrol"].period_days, res["inspection"].period_days) == (1, 30)  # Art. 34, 35
    assert (school["patrol"].period_days, school["inspection"].period_days) == (1, 15)
    assert tower["inspection"].period_days == 15
    assert res["full_test"].period_days == 365  # 消防法 Art. 16(3)
    assert res["assessment"].period_days == 365  # Art. 39
    assert res["drill"].period_days == 365 and school["drill"].period_days == 365  # Art. 44
    assert tower["drill"].period_days == 182  # public over 100 m: every six months
    rule = schedule.rule_for("inspection")
    assert rule.clause == "第三十五条" and rule.confidence == "C1" and rule.edition == "2021"
    assert schedule.rule_for("full_test").standard == "中华人民共和国消防法"


def test_a_changed_rule_value_changes_the_schedule(world):
    rule = Rule.objects.get(key="inspections.inspection_days")
    rule.value = {"residential": 20, "public": 10}
    rule.value_overridden = True
    rule.save()
    statuses = {s.building_id: s for s in compute(Building.objects.all())}
    assert statuses[world.buildings["res_a1"].pk].cells["inspection"].period_days == 20


def test_due_and_overdue_from_the_last_signed_record(db):
    with time_machine.travel(T0, tick=False):
        world = build_world()
    res = world.buildings["res_a1"]
    user = world.users["property"]
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        _done(user, res, "inspection")
        actions.start_record(acting_user=user, building=res, kind="patrol")  # unsigned: no count
    with time_machine.travel(T0 + dt.timedelta(days=12), tick=False):
        cells = {s.building_id: s for s in compute(Building.objects.all())}[res.pk].cells
    assert cells["inspection"].state == "ok"
    assert cells["inspection"].last == dt.date(2026, 3, 11)
    assert cells["inspection"].due == dt.date(2026, 4, 10)
    assert cells["patrol"].state == "never" and cells["patrol"].last is None
    with time_machine.travel(T0 + dt.timedelta(days=38), tick=False):
        cells = {s.building_id: s for s in compute(Building.objects.all())}[res.pk].cells
    assert cells["inspection"].state == "due_soon"  # within 3 days (reminder lead)
    with time_machine.travel(T0 + dt.timedelta(days=41), tick=False):
        cells = {s.building_id: s for s in compute(Building.objects.all())}[res.pk].cells
    assert cells["inspection"].state == "overdue"
    assert cells["full_test"].state == "ok"  # one year from registration


def test_only_high_rise_buildings_in_use_are_scheduled(world):
    low = save_building(
        Building(
            name="低层商铺",
            address="x",
            region=world.regions["grid_a1"],
            height_m=Decimal("12"),
            storeys_above=3,
            use="commercial",
        ),
        sectors=[],
        acting_user=None,
    )
    ids = {s.building_id for s in compute(Building.objects.all())}
    assert low.pk not in ids and world.buildings["res_a1"].pk in ids


def test_reminder_before_the_due_date_and_escalation_after_it(db):
    with time_machine.travel(T0, tick=False):
        world = build_world()
    res = world.buildings["res_a1"]
    property_user = world.users["property"]
    town_user = world.users["town_a"]
    with time_machine.travel(T0, tick=False):
        for kind in ("patrol", "full_test", "assessment", "drill"):
            _done(property_user, res, kind)
        _done(property_user, res, "inspection")
    # Only res_a1 stays in the schedule (the others are taken out of use).
    Building.objects.exclude(pk=res.pk).update(stage="construction")

    def notes() -> list[tuple[str, str]]:
        return list(ScheduleNotice.objects.order_by("id").values_list("kind", "level"))

    def patrol_daily(day: dt.datetime) -> None:
        with time_machine.travel(day, tick=False):
            _done(property_user, res, "patrol")

    # Inspection due on 2026-03-31 (30 days); reminder lead 3 days; escalation 3 days after.
    for offset in (10, 26):
        patrol_daily(T0 + dt.timedelta(days=offset))
        with time_machine.travel(T0 + dt.timedelta(days=offset, hours=1), tick=False):
            assert remind_and_escalate() == 0, notes()
    patrol_daily(T0 + dt.timedelta(days=27))
    with time_machine.travel(T0 + dt.timedelta(days=27, hours=1), tick=False):
        assert remind_and_escalate() == 1
        assert remind_and_escalate() == 0  # once per due date
    assert notes() == [("inspection", "reminder")]
    text = Notification.objects.filter(user=property_user).latest("id").text
    assert "滨江花园1栋" in text and "2026-03-31" in text
    assert Notification.objects.filter(user=town_user).exists()
    patrol_daily(T0 + dt.timedelta(days=32))
    with time_machine.travel(T0 + dt.timedelta(days=32, hours=1), tick=False):
        assert remind_and_escalate() == 0  # overdue 1 day: not yet escalated
    patrol_daily(T0 + dt.timedelta(days=33))
    with time_machine.travel(T0 + dt.timedelta(days=33, hours=1), tick=False):
        assert remind_and_escalate() == 1
    assert notes()[-1] == ("inspection", "escalation")
    assert "Overdue" in Notification.objects.filter(user=property_user).latest("id").text or (
        "逾期" in Notification.objects.filter(user=property_user).latest("id").text
    )
    # Doing the work stops the notices.
    with time_machine.travel(T0 + dt.timedelta(days=34), tick=False):
        _done(property_user, res, "inspection")
        _done(property_user, res, "patrol")
        assert remind_and_escalate() == 0


def test_compliance_pages_count_per_town_and_company_and_export(login, world):
    user = world.users["detachment"]
    _done(user, world.buildings["res_a1"], "patrol")
    client = login("town_a")
    page = client.get("/inspections/compliance/")
    html = page.content.decode()
    assert "几江街道" in html and "白沙镇" not in html  # town A sees only its own
    by_company = client.get("/inspections/compliance/?by=company").content.decode()
    assert "津城物业" in by_company and "白沙物业" not in by_company
    town = world.regions["town_a"]
    listing = client.get(f"/inspections/compliance/town/{town.pk}/").content.decode()
    assert "滨江花园1栋" in listing and "江津中学教学楼" in listing
    assert (
        client.get(f"/inspections/compliance/town/{world.regions['town_b'].pk}/").status_code == 404
    )
    company = world.orgs["other_property"]
    assert client.get(f"/inspections/compliance/company/{company.pk}/").status_code == 404
    response = client.get(f"/inspections/compliance/town/{town.pk}/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    codes = {world.buildings["res_a1"].code, world.buildings["school_a2"].code}
    assert len(rows) == 3 and {rows[1][0], rows[2][0]} == codes
    summary = client.get("/inspections/compliance/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(summary.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "几江街道" and rows[1][1] == 2


def test_the_building_tab_shows_each_kind_with_its_citation(login, world):
    html = (
        login("town_a")
        .get(f"/inspections/building/{world.buildings['res_a1'].pk}/tab/")
        .content.decode()
    )
    assert "第三十五条" in html and "第三十九条" in html and "第四十四条" in html
    assert "第十六条" in html


def test_rules_in_force_are_the_ones_used(world):
    rules = RuleSet.current(timezone.localdate())
    assert rules.value("inspections.drill_days")["public_super_high_rise"] == 182
