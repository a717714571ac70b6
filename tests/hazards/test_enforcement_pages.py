"""Enforcement cases through their pages: scope, who may, errors per field, join, steps, xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from towerwatch.core.testing.world import EXPECTED_VISIBLE
from towerwatch.hazards import actions
from towerwatch.hazards.models import EnforcementCase, EnforcementStep, HazardStep

from .helpers import make_hazard

pytestmark = pytest.mark.django_db

LIST = reverse("hazards:enforcement_list")
ADD = reverse("hazards:enforcement_add")


def soon(days: int = 7) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def form(**fields):
    data = {
        "legal_basis_rule": "enforcement.highrise_art47",
        "party_kind": "business",
        "party_name": "津城物业",
        "order_text": "责令三日内清理楼道内停放的电动自行车",
        "fine_yuan": "5000",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def open_case(world, building: str, by: str, hazard=None, **kw):
    args = {
        "legal_basis_rule": "enforcement.fire_law_art60",
        "order_text": "责令改正",
        "fine_yuan": 8000,
        "is_business": True,
        "party_name": "某单位",
    }
    args.update(kw)
    return actions.open_enforcement(
        acting_user=world.users[by], building=world.buildings[building], hazard=hazard, **args
    )


def nothing_written(hazard=None):
    assert not EnforcementCase.objects.exists()
    assert not EnforcementStep.objects.exists()
    if hazard is not None:
        assert not HazardStep.objects.filter(hazard=hazard, kind="enforcement").exists()


def test_list_and_pages_are_scoped(world, login):
    cases = {
        "res_a1": open_case(world, "res_a1", "town_a"),
        "school_a2": open_case(world, "school_a2", "town_a"),
        "res_b1": open_case(world, "res_b1", "town_b"),
    }
    for name, expected in EXPECTED_VISIBLE.items():
        client = login(name)
        response = client.get(LIST)
        if name == "nobody":
            assert response.status_code == 404
            continue
        assert response.status_code == 200, name
        page = response.content.decode()
        for key, case in cases.items():
            assert (case.code in page) == (key in expected), (name, key)
            status = client.get(case.get_absolute_url()).status_code
            assert status == (200 if key in expected else 404), (name, key)


def test_who_may_open_a_case(world, login):
    hazard = make_hazard(world)  # res_a1
    from_hazard = f"{ADD}?hazard={hazard.pk}"
    for name in ("town_a", "detachment", "housing"):
        client = login(name)
        assert from_hazard in client.get(hazard.get_absolute_url()).content.decode(), name
        assert client.get(from_hazard).status_code == 200, name
    for name in ("property", "owner", "leadership", "operator", "grid_a2", "service", "utility"):
        client = login(name)
        assert client.get(ADD).status_code == 403, name
        assert client.post(ADD, form(building=world.buildings["res_a1"].code)).status_code == 403
    for name in ("property", "owner", "leadership", "operator"):
        client = login(name)
        assert from_hazard not in client.get(hazard.get_absolute_url()).content.decode(), name
        assert client.get(from_hazard).status_code == 403, name
    for name in ("town_b", "education", "grid_a2"):  # the hazard is outside their scope
        client = login(name)
        assert client.get(from_hazard).status_code == 404, name
        assert client.post(from_hazard, form()).status_code == 404, name
    assert login("nobody").get(ADD).status_code == 404
    nothing_written(hazard)


def test_the_form_shows_the_legal_bases_with_clause_and_range(world, login):
    page = login("town_a").get(ADD).content.decode()
    assert "第四十七条" in page and "第六十条" in page
    assert "2000–10000" in page and "500–1000" in page and "5000–50000" in page
    assert 'name="legal_basis_rule"' in page and 'value="enforcement.fire_law_art60"' in page


@pytest.mark.parametrize(
    "fields, field, texts",
    [
        (
            {"fine_yuan": "20000"},
            "fine_yuan",
            ["2000–10000", "第四十七条", "outside the legal range"],
        ),
        (
            {"party_kind": "non_business", "fine_yuan": "2000"},
            "fine_yuan",
            ["500–1000", "第四十七条"],
        ),
        (
            {"legal_basis_rule": "enforcement.fire_law_art60", "fine_yuan": "60000"},
            "fine_yuan",
            ["5000–50000", "第六十条"],
        ),
        ({"fine_yuan": "-5"}, "fine_yuan", ["greater than or equal to 0"]),
        ({"legal_basis_rule": "hazards.rectification_days"}, "legal_basis_rule", ["valid choice"]),
        ({"legal_basis_rule": None}, "legal_basis_rule", ["required"]),
        ({"order_text": "  "}, "order_text", ["Write the order"]),
        ({"party_name": ""}, "party", ["Name the party"]),
        ({"party_kind": "robot"}, "party_kind", ["valid choice"]),
        (
            {"follow_up": "复查", "follow_up_due": "2001-01-01"},
            "follow_up_due",
            ["cannot be in the past"],
        ),
    ],
)
def test_bad_input_per_field_writes_nothing(world, login, fields, field, texts):
    hazard = make_hazard(world)
    response = login("town_a").post(f"{ADD}?hazard={hazard.pk}", form(**fields))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-field-error="{field}"' in page
    for text in texts:
        assert text in page, text
    assert "Nothing was saved" in page
    nothing_written(hazard)


def test_standalone_case_needs_a_visible_building(world, login):
    client = login("town_a")
    response = client.post(ADD, form(building=world.buildings["res_b1"].code))
    assert response.status_code == 400
    assert 'data-field-error="building"' in response.content.decode()
    response = client.post(ADD, form(building=""))
    assert 'data-field-error="building"' in response.content.decode()
    nothing_written()
    response = client.post(
        ADD,
        form(
            building=f"{world.buildings['school_a2'].code} 江津中学教学楼",
            departments=[world.orgs["education"].pk],
        ),
    )
    assert response.status_code == 302
    case = EnforcementCase.objects.get()
    assert case.building == world.buildings["school_a2"] and case.hazard is None
    assert list(case.departments.all()) == [world.orgs["education"]]
    assert response["Location"] == case.get_absolute_url()


def test_full_path_open_join_follow_up_close(world, login):
    hazard = make_hazard(world, building="res_b1", category="ebike", title="电动自行车楼道充电")
    town = login("town_b")
    page = town.get(hazard.get_absolute_url()).content.decode()
    response = town.post(
        f"{ADD}?hazard={hazard.pk}",
        form(
            party="",
            party_name="白沙物业",
            party_kind="business",
            fine_yuan="3000",
            follow_up="七日内复查",
            follow_up_due=soon().isoformat(),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = EnforcementCase.objects.get()
    assert (case.hazard, case.fine_yuan, case.fine_min_yuan, case.fine_max_yuan) == (
        hazard,
        3000,
        2000,
        10000,
    )
    assert case.legal_basis_citation.endswith("第四十七条") and case.steps.count() == 2
    page = town.get(case.get_absolute_url()).content.decode()
    assert "2000–10000" in page and "七日内复查" in page and "第四十七条" in page
    page = town.get(hazard.get_absolute_url()).content.decode()
    cases = page[page.index('id="tw-cases"') :]
    assert case.get_absolute_url() in cases
    timeline = page[page.index('id="timeline"') :]
    assert case.code in timeline and "第四十七条" in timeline

    # The education department does not see the case; once the hazard is referred to it, the
    # hazard page offers to join.
    education = login("education")
    assert education.get(case.get_absolute_url()).status_code == 404
    join = reverse("hazards:enforcement_join", args=[case.pk])
    assert education.post(join).status_code == 404
    actions.refer(
        hazard,
        acting_user=world.users["town_b"],
        departments=[world.orgs["education"]],
        note="楼内有培训机构，请参与联合执法",
        reply_by=soon(),
    )
    page = education.get(hazard.get_absolute_url()).content.decode()
    assert join in page
    assert login("town_b").post(join).status_code == 403  # not a department
    education = login("education")
    response = education.post(join)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert list(case.departments.all()) == [world.orgs["education"]]
    page = education.get(case.get_absolute_url()).content.decode()
    assert "区教委" in page and 'id="tw-join"' not in page
    response = education.post(join)  # twice: refused with a message, nothing added
    assert response.status_code == 302 and case.steps.count() == 3

    # Follow-up steps: an empty note is refused on its field; closing closes.
    step = reverse("hazards:enforcement_step", args=[case.pk])
    response = education.post(step, {"note": " "})
    assert response.status_code == 400
    assert 'data-field-error="note"' in response.content.decode()
    assert case.steps.count() == 3
    assert login("property").post(step, {"note": "x"}).status_code == 404  # res_b1: not theirs
    assert login("leadership").post(step, {"note": "x"}).status_code == 403
    education = login("education")
    assert education.post(step, {"note": "复查合格，罚款已缴纳", "close": "on"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "closed" and case.closed_at is not None and case.steps.count() == 4
    page = education.get(case.get_absolute_url()).content.decode()
    assert "复查合格" in page and step not in page


def test_filters_and_xlsx_export(world, login):
    a = open_case(world, "res_a1", "town_a", party_name="津城物业")
    b = open_case(
        world,
        "school_a2",
        "town_a",
        legal_basis_rule="enforcement.highrise_art47",
        fine_yuan=800,
        is_business=False,
        party_name="江津中学",
        departments=[world.orgs["education"]],
    )
    c = open_case(world, "res_b1", "detachment")
    actions.add_enforcement_step(c, acting_user=world.users["detachment"], note="结案", close=True)
    client = login("detachment")

    def codes(query):
        page = client.get(f"{LIST}?{query}").content.decode()
        return {x.code for x in (a, b, c) if x.code in page}

    assert codes("") == {a.code, b.code, c.code}
    assert codes("state=closed") == {c.code}
    assert codes("state=open") == {a.code, b.code}
    assert codes("legal_basis=enforcement.highrise_art47") == {b.code}
    assert codes(f"town={world.regions['town_b'].pk}") == {c.code}
    assert codes(f"town={world.regions['town_a'].pk}&legal_basis=enforcement.fire_law_art60") == {
        a.code
    }

    response = client.get(f"{LIST}?state=open&export=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:2] == ["case number", "opened"] and "legal basis" in header
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {a.code, b.code}
    row = by_code[b.code]
    assert row["Building code"] == world.buildings["school_a2"].code
    assert row["legal basis"].endswith("第四十七条") and row["confidence"] == "C1"
    assert (row["fine (yuan)"], row["lowest legal fine"], row["highest legal fine"]) == (
        800,
        500,
        1000,
    )
    assert row["participating departments"] == "区教委"
    assert row["party"] == "江津中学" and row["Town / street"] == "几江街道"

    # The export is scoped: town_b's workbook holds only res_b1's case.
    response = login("town_b").get(f"{LIST}?export=xlsx")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [c.code]


def test_menu_links_the_list(world, login):
    page = login("town_a").get(reverse("hazards:hazard_list")).content.decode()
    assert LIST in page
