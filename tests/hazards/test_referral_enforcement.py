"""Referral (抄告) and its scope, joint enforcement with a fine inside the legal range."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from towerwatch.core.testing.world import EXPECTED_VISIBLE
from towerwatch.hazards import actions
from towerwatch.hazards.models import EnforcementCase, Hazard, HazardStep, Referral
from towerwatch.notifications.models import Notification

from .helpers import make_hazard

pytestmark = pytest.mark.django_db


def soon(days: int = 5) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def user(world, name):
    from towerwatch.accounts.models import User

    return world.users.get(name) or User.objects.get(username=name)


def test_scope_matrix_with_a_referral(world, django_capture_on_commit_callbacks):
    hazards = {key: make_hazard(world, building=key) for key in world.buildings}
    # Before any referral a hazard is seen exactly where its building is.
    for name, expected in EXPECTED_VISIBLE.items():
        seen = set(
            Hazard.objects.visible_to(user(world, name)).values_list("building__code", flat=True)
        )
        assert seen == {world.buildings[k].code for k in expected}, name
    # res_b1 is residential: the education department does not see it until it is referred.
    with django_capture_on_commit_callbacks(execute=True):
        (ref,) = actions.refer(
            hazards["res_b1"],
            acting_user=world.users["town_b"],
            departments=[world.orgs["education"]],
            note="该楼底层为培训机构，请教委督办",
            reply_by=soon(),
        )
    assert Notification.objects.filter(user=world.users["education"]).count() == 1
    for name, expected in EXPECTED_VISIBLE.items():
        seen = {h.building_id for h in Hazard.objects.visible_to(user(world, name))}
        want = {world.buildings[k].pk for k in expected}
        if name == "education":
            want.add(world.buildings["res_b1"].pk)
        assert seen == want, name
        refs = set(Referral.objects.visible_to(user(world, name)).values_list("pk", flat=True))
        assert refs == (
            {ref.pk}
            if name
            in {"education", "town_b", "housing", "detachment", "operator", "leadership", "utility"}
            else set()
        ), name
    # The department answers; a second answer and a stranger's answer are refused.
    with pytest.raises(PermissionDenied):
        actions.answer_referral(ref, acting_user=world.users["town_b"], answer="x")
    with pytest.raises(PermissionDenied):
        actions.answer_referral(ref, acting_user=world.users["housing"], answer="x")
    with pytest.raises(Http404):
        actions.answer_referral(ref, acting_user=world.users["property"], answer="x")
    with pytest.raises(ValidationError):
        actions.answer_referral(ref, acting_user=world.users["education"], answer="  ")
    actions.answer_referral(
        ref, acting_user=world.users["education"], answer="已约谈培训机构负责人"
    )
    with pytest.raises(ValidationError, match="already"):
        actions.answer_referral(ref, acting_user=world.users["education"], answer="again")
    kinds = list(
        HazardStep.objects.filter(hazard=hazards["res_b1"], kind="referral").values_list(
            "note", flat=True
        )
    )
    assert kinds == ["该楼底层为培训机构，请教委督办", "已约谈培训机构负责人"]


def test_referral_bad_input(world):
    hazard = make_hazard(world)
    town = world.users["town_a"]
    with pytest.raises(ValidationError) as exc:
        actions.refer(
            hazard,
            acting_user=town,
            departments=[world.orgs["property"]],
            note="",
            reply_by=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(exc.value.message_dict) == {"departments", "note", "reply_by"}
    actions.refer(
        hazard,
        acting_user=town,
        departments=[world.orgs["housing"]],
        note="请督办",
        reply_by=soon(),
    )
    with pytest.raises(ValidationError, match="Already referred"):
        actions.refer(
            hazard,
            acting_user=town,
            departments=[world.orgs["housing"]],
            note="再次",
            reply_by=soon(),
        )
    with pytest.raises(PermissionDenied):
        actions.refer(
            hazard,
            acting_user=world.users["property"],
            departments=[world.orgs["education"]],
            note="x",
            reply_by=soon(),
        )
    with pytest.raises(PermissionDenied):  # a department does not refer onwards
        actions.refer(
            hazard,
            acting_user=world.users["housing"],
            departments=[world.orgs["education"]],
            note="x",
            reply_by=soon(),
        )
    assert Referral.objects.count() == 1


def open_case(world, **kw):
    args = {
        "acting_user": world.users["detachment"],
        "building": world.buildings["res_a1"],
        "legal_basis_rule": "enforcement.highrise_art47",
        "order_text": "责令立即清理楼梯间电动自行车并停止充电",
        "fine_yuan": 5000,
        "is_business": True,
        "party": world.orgs["property"],
    }
    args.update(kw)
    return actions.open_enforcement(**args)


@pytest.mark.parametrize(
    ("rule", "business", "individual", "fine", "ok"),
    [
        ("enforcement.highrise_art47", True, False, 2000, True),
        ("enforcement.highrise_art47", True, False, 10000, True),
        ("enforcement.highrise_art47", True, False, 1999, False),
        ("enforcement.highrise_art47", True, False, 10001, False),
        ("enforcement.highrise_art47", False, False, 500, True),
        ("enforcement.highrise_art47", False, False, 1000, True),
        ("enforcement.highrise_art47", False, False, 2000, False),
        ("enforcement.fire_law_art60", True, False, 5000, True),
        ("enforcement.fire_law_art60", False, False, 50000, True),
        ("enforcement.fire_law_art60", False, False, 4999, False),
        ("enforcement.fire_law_art60", False, False, 50001, False),
        ("enforcement.fire_law_art60", False, True, 500, True),
        ("enforcement.fire_law_art60", False, True, 501, False),
        ("enforcement.highrise_art47", True, False, None, True),
    ],
)
def test_fine_within_the_legal_range(world, rule, business, individual, fine, ok):
    kw = {"legal_basis_rule": rule, "fine_yuan": fine, "is_business": business}
    if individual:
        kw.update(is_individual=True, party=None, party_name="王某")
    if ok:
        case = open_case(world, **kw)
        assert case.fine_yuan == fine and case.code.startswith("ZF")
        assert case.legal_basis_citation.endswith(("第四十七条", "第六十条"))
    else:
        with pytest.raises(ValidationError) as exc:
            open_case(world, **kw)
        msg = exc.value.message_dict["fine_yuan"][0]
        clause = "第四十七条" if rule.endswith("47") else "第六十条"
        assert clause in msg and "legal range" in msg and str(fine) in msg
        assert not EnforcementCase.objects.exists()


def test_enforcement_bad_input_and_who_may(world):
    with pytest.raises(ValidationError) as exc:
        open_case(world, legal_basis_rule="hazards.rectification_days", order_text=" ")
    assert {"legal_basis_rule", "order_text"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        open_case(world, acting_user=world.users["property"])
    with pytest.raises(PermissionDenied):
        open_case(world, acting_user=world.users["leadership"])  # viewer
    with pytest.raises(Http404):
        open_case(world, acting_user=world.users["town_b"])
    other = make_hazard(world, building="res_b1")
    with pytest.raises(ValidationError, match="another building"):
        open_case(world, hazard=other)


def test_department_joins_a_case_on_a_referred_hazard(world):
    hazard = make_hazard(world, building="res_b1")
    case = open_case(
        world,
        building=world.buildings["res_b1"],
        hazard=hazard,
        party=world.orgs["other_property"],
        follow_up="七日内复查",
        follow_up_due=soon(7),
    )
    assert case.steps.count() == 2
    assert HazardStep.objects.filter(hazard=hazard, kind="enforcement").count() == 1
    education = world.users["education"]
    assert not EnforcementCase.objects.visible_to(education).exists()
    with pytest.raises(Http404):
        actions.join_enforcement(case, acting_user=education)
    actions.refer(
        hazard,
        acting_user=world.users["town_b"],
        departments=[world.orgs["education"]],
        note="请参与联合执法",
        reply_by=soon(),
    )
    actions.join_enforcement(case, acting_user=education)
    assert list(case.departments.all()) == [world.orgs["education"]]
    assert EnforcementCase.objects.visible_to(education).get() == case
    with pytest.raises(ValidationError, match="already"):
        actions.join_enforcement(case, acting_user=education)
    with pytest.raises(PermissionDenied):
        actions.join_enforcement(case, acting_user=world.users["town_b"])
    actions.add_enforcement_step(case, acting_user=education, note="复查合格，结案", close=True)
    case.refresh_from_db()
    assert case.state == "closed" and case.steps.count() == 4
