"""The GB 35181 major-hazard assessment through its page: who may, errors per field, the result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.hazards.models import Hazard, HazardStep, MajorAssessment

from .helpers import make_hazard

pytestmark = pytest.mark.django_db

PANEL = [("王建国", "支队防火监督科科长"), ("刘芳", "街道安全办主任"), ("陈明", "注册消防工程师")]


def payload(people=PANEL, rows: int = 5, **fields):
    data = {
        "p-TOTAL_FORMS": str(rows),
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "30",
        "site_type": "crowded_venue",
        "conclusion": "安全出口数量不足，经集体讨论判定为重大火灾隐患",
        "elements": ["D-exits", "C-fire-lane"],
    }
    for i, (name, role) in enumerate(people):
        data[f"p-{i}-name"], data[f"p-{i}-role"] = name, role
    data.update(fields)
    return data


def assess_url(hazard):
    return reverse("hazards:hazard_assess", args=[hazard.pk])


def nothing_written(hazard, severity="general"):
    hazard.refresh_from_db()
    assert not MajorAssessment.objects.exists()
    assert not HazardStep.objects.filter(hazard=hazard, kind__in=["assessment", "comment"]).exists()
    assert hazard.severity == severity


def test_who_may_assess(world, login):
    hazard = make_hazard(world)  # res_a1
    school = make_hazard(world, building="school_a2")
    for name in ("town_a", "detachment"):
        client = login(name)
        page = client.get(hazard.get_absolute_url()).content.decode()
        assert assess_url(hazard) in page, name
        assert client.get(assess_url(hazard)).status_code == 200, name
    for name in ("property", "owner", "leadership", "operator", "housing"):
        client = login(name)
        assert assess_url(hazard) not in client.get(hazard.get_absolute_url()).content.decode()
        assert client.get(assess_url(hazard)).status_code == 403, name
        assert client.post(assess_url(hazard), payload()).status_code == 403, name
    for name in ("town_b", "education", "service", "grid_a2"):  # res_a1 is outside their scope
        assert login(name).get(assess_url(hazard)).status_code == 404, name
    assert login("grid_a2").get(assess_url(school)).status_code == 200
    login("nobody")
    assert login("nobody").get(assess_url(hazard)).status_code == 404
    nothing_written(hazard)


def test_the_form_shows_the_catalogue_in_force(world, login):
    hazard = make_hazard(world)
    response = login("town_a").get(assess_url(hazard))
    page = response.content.decode()
    assert "GB 35181-2025" in page and "UNCONFIRMED" in page
    direct = page.index('id="tw-elements-direct"')
    comprehensive = page.index('id="tw-elements-comprehensive"')
    assert (
        direct < page.index('value="D-exits"') < comprehensive < page.index('value="C-fire-lane"')
    )
    assert page.count('name="elements"') == 18  # 6 direct + 12 comprehensive
    assert page.count('type="checkbox" name="elements"') == 18
    assert 'name="p-4-role"' in page  # five participant rows
    assert 'value="elderly_children"' in page


@pytest.mark.parametrize(
    "change, field, text",
    [
        ({"people": PANEL[:2]}, "participants", "at least 3 people; 2 named"),
        (
            {"people": [*PANEL[:2], ("赵六", "")]},
            "participants",
            "name and role",
        ),
        ({"conclusion": "  "}, "conclusion", "collective conclusion"),
        ({"elements": ["D-exits", "9.9.9"]}, "elements", "9.9.9"),
        ({"site_type": "spaceport"}, "site_type", "spaceport"),
        ({"site_type": ""}, "site_type", "Choose a site type of GB 35181-2025"),
        (
            {"elements": ["C-fire-lane", "C-exits"], "site_type": "other"},
            "is_major",
            "threshold of GB 35181-2025 is unconfirmed",
        ),
    ],
)
def test_bad_input_per_field_writes_nothing(world, login, change, field, text):
    hazard = make_hazard(world)
    change = dict(change)
    people = change.pop("people", PANEL)
    response = login("town_a").post(assess_url(hazard), payload(people=people, **change))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-field-error="{field}"' in page
    assert text in page
    assert "Nothing was saved" in page
    nothing_written(hazard)
    # What was typed stays on the form.
    for name, _role in people:
        if name:
            assert name in page


def test_assessment_happy_path(world, login):
    hazard = make_hazard(world, building="school_a2")
    client = login("grid_a2")
    data = payload(
        people=[*PANEL, ("赵敏", "学校保卫处")],
        site_type="elderly_children",
        note="请学校一周内报送整改方案",
    )
    response = client.post(assess_url(hazard), data)
    assert response.status_code == 302
    assert response["Location"].startswith(hazard.get_absolute_url())
    a = MajorAssessment.objects.get()
    assert (a.verdict, a.is_major, a.edition, a.direct_elements) == (
        "major",
        True,
        "2025",
        ["D-exits"],
    )
    assert [p["name"] for p in a.participants] == ["王建国", "刘芳", "陈明", "赵敏"]
    hazard.refresh_from_db()
    assert hazard.severity == "major"
    assert HazardStep.objects.filter(hazard=hazard, kind="comment").get().note.startswith("请学校")

    page = client.get(hazard.get_absolute_url()).content.decode()
    card = page[page.index('id="tw-assessments"') :]
    assert "judged a major hazard" in card and "major hazard by the rules" in card
    assert "GB 35181-2025" in card and "UNCONFIRMED" in card
    assert "D-exits" in card and "人员密集场所安全出口数量不足" in card
    assert "王建国 (支队防火监督科科长)" in card and "赵敏 (学校保卫处)" in card
    timeline = page[page.index('id="timeline"') :]
    assert "major hazard assessment" in timeline
    assert "安全出口数量不足，经集体讨论判定为重大火灾隐患" in timeline
    assert "GB 35181-2025" in timeline

    # The collective may decide where the unconfirmed threshold leaves it open.
    response = client.post(
        assess_url(hazard),
        payload(elements=["C-fire-lane", "C-exits"], site_type="other", is_major="no"),
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.severity == "general"
    assert list(
        MajorAssessment.objects.filter(hazard=hazard).values_list("verdict", "is_major")
    ) == [("undetermined", False), ("major", True)]
    assert Hazard.objects.get(pk=hazard.pk).steps.filter(kind="assessment").count() == 2
