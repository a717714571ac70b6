"""GB 35181 major-hazard assessment from the rule set, and a monitoring case becoming a hazard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from towerwatch.hazards import actions
from towerwatch.hazards.models import Hazard, HazardStep, MajorAssessment
from towerwatch.monitoring.models import AlarmCase, Device

from .helpers import make_hazard

pytestmark = pytest.mark.django_db

PANEL = [
    {"name": "王建国", "role": "支队防火监督科科长"},
    {"name": "刘芳", "role": "街道安全办主任"},
    {"name": "陈明", "role": "注册消防工程师"},
]


def test_catalogue_in_force_is_2025_and_2017_is_reference_only(db):
    current = actions.major_catalogue()
    assert (current.standard, current.edition, current.confidence) == (
        "GB 35181",
        "2025",
        "UNCONFIRMED",
    )
    assert all(c["min_elements"] is None for c in current.value["counting"])
    old = actions.major_catalogue(dt.date(2025, 10, 31))
    assert old.edition == "2017" and old.superseded_on == dt.date(2025, 11, 1)
    crowded = old.value["counting"][0]
    assert (crowded["min_elements"], crowded["clause"], crowded["confidence"]) == (
        3,
        "5.3.3(1)",
        "C2",
    )


def test_direct_element_makes_a_major_hazard_with_the_90_day_deadline(world):
    hazard = make_hazard(world, building="school_a2")
    assert hazard.deadline == timezone.localdate() + dt.timedelta(days=1)  # exit blocked
    a = actions.assess_major(
        hazard,
        acting_user=world.users["grid_a2"],
        elements=["D-exits", "C-fire-lane"],
        participants=PANEL,
        conclusion="安全出口数量不足，经集体讨论判定为重大火灾隐患",
        site_type="elderly_children",
    )
    assert (a.verdict, a.is_major, a.direct_elements, a.edition) == (
        "major",
        True,
        ["D-exits"],
        "2025",
    )
    hazard.refresh_from_db()
    assert hazard.severity == "major"
    assert hazard.deadline == timezone.localdate() + dt.timedelta(days=90)
    step = HazardStep.objects.get(hazard=hazard, kind="assessment")
    assert step.data["citation"] == "GB 35181-2025" and step.data["confidence"] == "UNCONFIRMED"
    assert step.data["deadline"]["new"] == hazard.deadline.isoformat()


def test_unconfirmed_threshold_leaves_the_decision_to_the_collective(world):
    hazard = make_hazard(world)
    args = {
        "acting_user": world.users["town_a"],
        "elements": ["C-fire-lane", "C-exits", "C-signs-lighting"],
        "participants": PANEL,
        "conclusion": "三项综合要素",
        "site_type": "other",
    }
    with pytest.raises(ValidationError, match="unconfirmed") as exc:
        actions.assess_major(hazard, **args)
    assert "is_major" in exc.value.message_dict
    a = actions.assess_major(hazard, is_major=False, **args)
    assert (a.verdict, a.is_major, a.comprehensive_count, a.threshold) == (
        "undetermined",
        False,
        3,
        None,
    )
    hazard.refresh_from_db()
    assert hazard.severity == "general"
    none_found = actions.assess_major(hazard, **{**args, "elements": []})
    assert none_found.verdict == "not_major"


def test_2017_counting_rules_reproduce_a_past_judgement(world):
    import time_machine

    with time_machine.travel(dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC), tick=False):
        hazard = make_hazard(world, category="other")
        args = {
            "acting_user": world.users["detachment"],
            "participants": PANEL,
            "conclusion": "依据 GB 35181-2017",
        }
        two = actions.assess_major(
            hazard, elements=["7.3.1", "7.3.3"], site_type="crowded_venue", **args
        )
        assert two.verdict == "not_major" and two.threshold == 3
        three = actions.assess_major(
            hazard, elements=["7.3.1", "7.3.3", "7.3.6"], site_type="crowded_venue", **args
        )
        assert (three.verdict, three.edition, three.is_major) == ("major", "2017", True)
        five_other = actions.assess_major(
            hazard,
            elements=["7.1.1", "7.1.2", "7.2.2", "7.3.1", "7.3.3"],
            site_type="other",
            **args,
        )
        assert five_other.verdict == "not_major" and five_other.threshold == 6
        hazard.refresh_from_db()
        assert hazard.severity == "general"  # the last judgement stands


def test_assessment_bad_input(world):
    hazard = make_hazard(world)
    with pytest.raises(ValidationError) as exc:
        actions.assess_major(
            hazard,
            acting_user=world.users["town_a"],
            elements=["D-exits", "9.9.9"],
            participants=PANEL[:2],
            conclusion="",
            site_type="spaceport",
        )
    errors = exc.value.message_dict
    assert set(errors) == {"elements", "participants", "conclusion", "site_type"}
    assert "at least 3 people; 2 named" in errors["participants"][0]
    assert "9.9.9" in errors["elements"][0]
    with pytest.raises(ValidationError, match="name and role"):
        actions.assess_major(
            hazard,
            acting_user=world.users["town_a"],
            elements=["D-exits"],
            participants=[*PANEL[:2], {"name": "赵六", "role": ""}],
            conclusion="x",
        )
    with pytest.raises(PermissionDenied):
        actions.assess_major(
            hazard,
            acting_user=world.users["property"],
            elements=["D-exits"],
            participants=PANEL,
            conclusion="x",
        )
    assert not MajorAssessment.objects.exists()


def case(world, kind: str, building: str | None = "res_a1") -> AlarmCase:
    device = Device.objects.create(
        address=f"aabbccdd{kind[:4].encode().hex()}"[:12],
        building=world.buildings[building] if building else None,
    )
    now = timezone.now()
    return AlarmCase.objects.create(
        device=device,
        building=device.building,
        kind=kind,
        component_address="1-2-035",
        description="3层喷淋末端压力低",
        opened_at=now,
        last_event_at=now,
    )


@pytest.mark.parametrize("kind", ["fault", "supervisory", "out_of_range"])
def test_monitoring_case_becomes_a_hazard(world, kind):
    c = case(world, kind)
    hazard = actions.hazard_from_case(c, acting_user=world.users["operator"])
    assert (hazard.source, hazard.category, hazard.alarm_case, hazard.building) == (
        "monitoring",
        "fire_system",
        c,
        world.buildings["res_a1"],
    )
    assert hazard.deadline == timezone.localdate() + dt.timedelta(days=1)  # GB 25201 24 h
    assert hazard.responsible_org == world.orgs["property"]
    with pytest.raises(ValidationError, match=hazard.code):
        actions.hazard_from_case(c, acting_user=world.users["operator"])


def test_monitoring_case_refusals(world):
    with pytest.raises(ValidationError, match="alarm case"):
        actions.hazard_from_case(case(world, "fire_alarm"), acting_user=world.users["operator"])
    with pytest.raises(ValidationError, match="Bind the device"):
        actions.hazard_from_case(case(world, "disabled", None), acting_user=None)
    with pytest.raises(Http404):
        actions.hazard_from_case(case(world, "power_fault"), acting_user=world.users["town_b"])
    assert not Hazard.objects.exists()
