"""The hazard API: scoped lists and details, filters, the loop's writes as POST actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from towerwatch.core.testing.world import EXPECTED_VISIBLE, PASSWORD
from towerwatch.hazards.models import EnforcementCase, Hazard

from .helpers import make_hazard, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world, client):
    def _as(username: str):
        client.logout()
        assert client.login(username=username, password=PASSWORD)
        return client

    return _as


def test_list_and_detail_are_scoped(world, api):
    hazards = {key: make_hazard(world, building=key) for key in world.buildings}
    for name, expected in EXPECTED_VISIBLE.items():
        client = api(name) if name != "nobody" else api("nobody")
        body = client.get(reverse("api:hazard-list")).json()
        codes = {r["building_code"] for r in body["results"]}
        assert codes == {world.buildings[k].code for k in expected}, name
        for key, hazard in hazards.items():
            status = client.get(reverse("api:hazard-detail", args=[hazard.pk])).status_code
            assert status == (200 if key in expected else 404), (name, key)


def test_filters(world, api):
    lane = make_hazard(world, category="fire_lane")
    make_hazard(world, building="res_b1", category="electrical")
    Hazard.objects.filter(pk=lane.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    client = api("detachment")

    def codes(**params):
        return {r["code"] for r in client.get(reverse("api:hazard-list"), params).json()["results"]}

    assert codes(category="fire_lane") == {lane.code}
    assert codes(overdue="true") == {lane.code}
    assert codes(town=world.regions["town_a"].pk) == {lane.code}
    assert len(codes(is_open="true")) == 2 and codes(is_open="false") == set()
    assert codes(state="closed") == set()
    assert client.get(reverse("api:hazard-list"), {"state": "nonsense"}).status_code == 400


def test_transitions_through_the_api(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    hazard = make_hazard(world)
    url = reverse("api:hazard-transition", args=[hazard.pk])
    town = api("town_a")
    detail = town.get(reverse("api:hazard-detail", args=[hazard.pk])).json()
    assert detail["allowed_transitions"] == ["assigned", "void"]
    r = town.post(url, {"state": "assigned"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "assigned"
    # The town may not start rectification: 403 with a clear message.
    r = town.post(url, {"state": "rectifying"}, content_type="application/json")
    assert r.status_code == 403
    prop = api("property")
    assert (
        prop.post(url, {"state": "rectifying"}, content_type="application/json").status_code == 200
    )
    r = prop.post(url, {"state": "submitted"}, content_type="application/json")
    assert r.status_code == 400 and "photos" in r.json()
    r = prop.post(url, {"state": "submitted", "photos": [png()]})  # multipart
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["reinspect_by"] and len(body["photos"]) == 1
    town = api("town_a")
    r = town.post(url, {"state": "rectifying"}, content_type="application/json")
    assert r.status_code == 400 and "note" in r.json()
    r = town.post(url, {"state": "closed", "note": "复查合格"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert [s["new_state"] for s in r.json()["steps"]][-1] == "closed"
    # Outside the scope: 404.
    r = api("town_b").post(url, {"state": "void", "note": "x"}, content_type="application/json")
    assert r.status_code == 404


def test_deadline_comment_refer_assess_answer(world, api):
    hazard = make_hazard(world, building="res_b1")
    town = api("town_b")
    base = "api:hazard-"
    r = town.post(
        reverse(base + "deadline", args=[hazard.pk]),
        {"deadline": "2000-01-01", "reason": ""},
        content_type="application/json",
    )
    assert r.status_code == 400 and {"deadline", "reason"} <= set(r.json())
    later = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    r = town.post(
        reverse(base + "deadline", args=[hazard.pk]),
        {"deadline": later, "reason": "待物业采购"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["deadline"] == later
    r = town.post(
        reverse(base + "comment", args=[hazard.pk]),
        {"note": "已电话督促"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = town.post(
        reverse(base + "refer", args=[hazard.pk]),
        {"departments": [world.orgs["education"].pk], "note": "请督办", "reply_by": later},
        content_type="application/json",
    )
    assert r.status_code == 201
    ref_id = r.json()[0]["id"]
    edu = api("education")
    assert edu.get(reverse(base + "detail", args=[hazard.pk])).status_code == 200
    r = edu.post(
        reverse("api:hazard-referral-answer", args=[ref_id]),
        {"answer": "已督促整改"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["answered_at"]
    r = api("town_b").post(
        reverse(base + "assess", args=[hazard.pk]),
        {
            "elements": ["D-exits"],
            "participants": [{"name": "甲", "role": "组长"}, {"name": "乙", "role": "组员"}],
            "conclusion": "x",
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "at least 3" in r.json()["participants"][0]


def test_enforcement_api(world, api):
    hazard = make_hazard(world)
    client = api("detachment")
    payload = {
        "building": world.buildings["res_a1"].pk,
        "hazard": hazard.pk,
        "legal_basis_rule": "enforcement.fire_law_art60",
        "order_text": "责令改正",
        "fine_yuan": 60000,
        "is_business": True,
        "party": world.orgs["property"].pk,
    }
    r = client.post(reverse("api:enforcement-case-list"), payload, content_type="application/json")
    assert r.status_code == 400
    assert "5000–50000" in r.json()["fine_yuan"][0] and "第六十条" in r.json()["fine_yuan"][0]
    payload["fine_yuan"] = 20000
    r = client.post(reverse("api:enforcement-case-list"), payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["fine_max_yuan"] == 50000
    case_id = r.json()["id"]
    r = api("housing").post(reverse("api:enforcement-case-join", args=[case_id]))
    assert r.status_code == 200 and r.json()["departments"] == [world.orgs["housing"].pk]
    assert (
        api("education").post(reverse("api:enforcement-case-join", args=[case_id])).status_code
        == 404
    )
    r = api("property").post(
        reverse("api:enforcement-case-list"), payload, content_type="application/json"
    )
    assert r.status_code == 403
    assert EnforcementCase.objects.count() == 1


def test_schema_lists_the_hazard_api(world, api):
    doc = api("detachment").get(reverse("api:schema"), {"format": "json"}).json()
    assert {"/api/hazards/", "/api/hazards/{id}/transition/", "/api/enforcement-cases/"} <= set(
        doc["paths"]
    )
