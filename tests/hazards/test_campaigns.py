"""Campaigns: default milestones, live progress against hand-computed numbers, scope, export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from towerwatch.hazards import campaigns
from towerwatch.hazards.actions import open_hazard
from towerwatch.hazards.models import Campaign, Hazard

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.date(2025, 1, 6)


def hazard(world, key, category, *, found, state="open", severity="general", deadline=None):
    with time_machine.travel(dt.datetime.combine(found, dt.time(9), tzinfo=TZ), tick=False):
        h = open_hazard(
            acting_user=None,
            building=world.buildings[key],
            source="patrol",
            category=category,
            severity=severity,
            title=f"{category} {found}",
        )
    if state != "open" or deadline:
        Hazard.objects.filter(pk=h.pk).update(state=state, deadline=deadline or h.deadline)
    return h


@pytest.fixture
def running(world):
    """A district campaign on fire lanes and exits, and hazards in and out of its scope."""
    c = campaigns.create_campaign(
        acting_user=world.users["detachment"],
        name="高层建筑消防通道专项整治",
        start_date=START,
        categories=["fire_lane", "exit_blocked"],
    )
    d = dt.date
    hazard(world, "res_a1", "fire_lane", found=d(2025, 1, 10), state="closed")
    hazard(world, "res_a1", "fire_lane", found=d(2025, 1, 12))  # open, deadline 01-13
    hazard(world, "school_a2", "exit_blocked", found=d(2025, 2, 1), severity="major")
    hazard(world, "res_b1", "exit_blocked", found=d(2025, 3, 1), state="closed")
    hazard(world, "res_b1", "exit_blocked", found=d(2025, 5, 1), state="submitted")
    hazard(world, "res_b1", "fire_lane", found=d(2025, 1, 20), state="void")  # void: not counted
    hazard(world, "res_a1", "ebike", found=d(2025, 2, 1))  # other category
    hazard(world, "res_a1", "fire_lane", found=d(2024, 12, 30))  # before the start
    return c


def test_new_campaign_gets_the_plans_milestones(running):
    ms = list(running.milestones.all())
    assert [(m.due_on, m.major_only) for m in ms] == [
        (dt.date(2025, 4, 6), True),
        (dt.date(2025, 7, 6), False),
        (dt.date(2026, 1, 6), False),
    ]
    assert campaigns.add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def test_progress_per_town_and_category_matches_hand_count(world, running):
    on = dt.date(2025, 6, 1)
    p = campaigns.progress(running, world.users["detachment"], on=on)
    rows = {(r.town, r.category): (r.total, r.closed, r.open, r.overdue) for r in p.rows}
    lane, exit_ = "fire lane occupied", "exit blocked"
    # Deadlines: fire lanes and exits 1 day, major 90 days (found 02-01 → 05-02 < 06-01).
    assert rows == {
        ("几江街道", lane): (2, 1, 1, 1),
        ("几江街道", exit_): (1, 0, 1, 1),
        ("白沙镇", exit_): (2, 1, 1, 1),
    }
    assert (p.total.total, p.total.closed, p.total.open, p.total.overdue) == (5, 2, 3, 3)
    assert p.total.percent_closed == 40.0
    by_town = {r.town: (r.total, r.closed, r.percent_closed) for r in p.by_town}
    assert by_town == {"几江街道": (3, 1, 33.3), "白沙镇": (2, 1, 50.0)}
    # A town sees its part only.
    part = campaigns.progress(running, world.users["town_b"], on=on)
    assert [(r.town, r.total) for r in part.rows] == [("白沙镇", 2)]
    assert part.total.total == 2


def test_hazards_still_open_against_each_milestone(world, running):
    first, second, third = running.milestones.all()
    # 3 months: major hazards only, found up to 04-06: the school's blocked exit.
    assert [h.building.name for h in campaigns.open_against(first, world.users["detachment"])] == [
        "江津中学教学楼"
    ]
    # 6 months: every open hazard found up to 07-06 (the 05-01 submitted one included).
    assert campaigns.open_against(second, world.users["detachment"]).count() == 3
    assert campaigns.open_against(third, world.users["town_b"]).count() == 1


def test_campaign_scope_per_persona(world, login):
    town_a = campaigns.create_campaign(
        acting_user=world.users["town_a"],
        name="几江街道电动车整治",
        start_date=START,
        towns=[world.regions["town_a"]],
        categories=["ebike"],
    )
    district = campaigns.create_campaign(
        acting_user=world.users["detachment"], name="全区整治", start_date=START
    )
    visible = {
        "detachment": {town_a, district},
        "town_a": {town_a, district},
        "grid_a2": {town_a, district},
        "town_b": {district},
        "property": {town_a, district},
    }
    for persona, expected in visible.items():
        assert set(Campaign.objects.visible_to(world.users[persona])) == expected, persona
    assert login("town_b").get(reverse("campaigns:campaign", args=[town_a.pk])).status_code == 404
    assert login("nobody").get(reverse("campaigns:campaign", args=[district.pk])).status_code == 404
    assert login("town_a").get(reverse("campaigns:campaign", args=[town_a.pk])).status_code == 200
    # A town may not run a campaign elsewhere or district-wide; a company not at all.
    with pytest.raises(ValidationError):
        campaigns.create_campaign(
            acting_user=world.users["town_b"],
            name="越界",
            start_date=START,
            towns=[world.regions["town_a"]],
        )
    with pytest.raises(ValidationError):
        campaigns.create_campaign(acting_user=world.users["town_b"], name="全区", start_date=START)
    with pytest.raises(PermissionDenied):
        campaigns.create_campaign(acting_user=world.users["property"], name="x", start_date=START)


def test_pages_and_xlsx_export(world, running, login):
    c = login("detachment")
    with time_machine.travel(dt.datetime(2025, 6, 1, 9, tzinfo=TZ), tick=False):
        page = c.get(reverse("campaigns:campaign", args=[running.pk]))
        assert page.status_code == 200 and "江津中学教学楼" in page.content.decode()
        xlsx = c.get(reverse("campaigns:campaign", args=[running.pk]), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[-1][2:6] == (5, 2, 3, 3)
    assert len(rows) == 1 + 3 + 2 + 1  # header, town × category, per town, total
    assert c.get(reverse("campaigns:campaign_list")).status_code == 200


def test_create_and_edit_through_the_pages(world, login):
    c = login("town_a")
    resp = c.post(
        reverse("campaigns:campaign_add"),
        {"name": "消防车道整治", "start_date": "2025-01-06", "towns": [world.regions["town_a"].pk]},
    )
    assert resp.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.milestones.count() == 3
    edit = reverse("campaigns:campaign_edit", args=[campaign.pk])
    data = {
        "name": "消防车道整治",
        "start_date": "2025-01-06",
        "towns": [world.regions["town_a"].pk],
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-0-name": "一个月清零",
        "m-0-due_on": "2025-02-06",
        "m-1-name": "倒退",
        "m-1-due_on": "2024-12-01",
    }
    bad = c.post(edit, data)
    assert bad.status_code == 400 and campaign.milestones.count() == 3
    data["m-1-DELETE"] = "on"
    assert c.post(edit, data).status_code == 302
    assert [m.name for m in campaign.milestones.all()] == ["一个月清零"]
    assert login("town_b").get(edit).status_code == 404


def test_demo_loads_reports_and_a_running_campaign():
    from towerwatch.demo import load_demo
    from towerwatch.hazards.models import PublicReport

    def snapshot():
        return sorted(
            PublicReport.objects.values_list("ticket", "category", "state", "building__code")
        )

    load_demo(buildings=40, seed=7)
    first = snapshot()
    assert {s for _t, _c, s, _b in first} == {"new", "valid", "invalid", "duplicate"}
    assert Campaign.objects.count() == 1 and Campaign.objects.get().milestones.count() == 3
    assert PublicReport.objects.filter(reward__isnull=False).count() == 1
    load_demo(buildings=40, seed=7)
    assert snapshot() == first
