"""Dashboards against hand-computed figures, the hazard map data, and "my work"."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from towerwatch.hazards.models import Hazard

pytestmark = pytest.mark.django_db


def rows(response, table="groups"):
    return {str(g.key): g for g in response.context[table]}


def test_town_dashboard_numbers(world, hazards, login, django_assert_max_num_queries):
    """By hand (conftest): town A has lane (open), exit (open, overdue) and school (closed after
    4 days, on time); town B has e-bike (closed after 10 days, late) and major (submitted)."""
    client = login("detachment")
    client.get(reverse("hazards:dashboard_town"))  # warm the session and the rule set
    with django_assert_max_num_queries(9):  # session, user, scope, chrome, ONE aggregate, names
        response = client.get(reverse("hazards:dashboard_town"))
    assert response.status_code == 200
    total = response.context["total"]
    assert (total.total, total.open, total.overdue, total.closed, total.on_time) == (5, 3, 1, 2, 1)
    assert total.on_time_pct == 50.0 and total.avg_days == 7.0
    towns = rows(response)
    a, b = towns[str(world.regions["town_a"].pk)], towns[str(world.regions["town_b"].pk)]
    assert (a.total, a.open, a.overdue, a.closed, a.on_time_pct, a.avg_days) == (
        3,
        2,
        1,
        1,
        100.0,
        4.0,
    )
    assert (b.total, b.open, b.overdue, b.closed, b.on_time_pct, b.avg_days) == (
        2,
        1,
        0,
        1,
        0.0,
        10.0,
    )
    cats = rows(response, "categories")
    assert cats["exit_blocked"].overdue == 1 and cats["ebike"].on_time_pct == 0.0
    assert set(cats) == {"fire_lane", "exit_blocked", "electrical", "ebike", "other"}


def test_dashboards_are_scoped(world, hazards, login):
    response = login("town_b").get(reverse("hazards:dashboard_town"))
    assert set(rows(response)) == {str(world.regions["town_b"].pk)}
    assert response.context["total"].total == 2
    units = login("property").get(reverse("hazards:dashboard_unit"))
    by_unit = rows(units)
    assert set(by_unit) == {str(world.orgs["property"].pk)}
    assert by_unit[str(world.orgs["property"].pk)].open == 2


def test_unit_dashboard_numbers(world, hazards, login):
    response = login("detachment").get(reverse("hazards:dashboard_unit"))
    units = rows(response)
    prop, other = units[str(world.orgs["property"].pk)], units[str(world.orgs["other_property"].pk)]
    assert (prop.total, prop.open, prop.overdue) == (2, 2, 1)
    assert (other.total, other.open, other.closed, other.avg_days) == (2, 1, 1, 10.0)
    # The school has no unit in its chain: its hazard is counted under "(none)".
    assert units["None"].total == 1


def test_dashboard_filters_by_found_date(world, hazards, login):
    response = login("detachment").get(reverse("hazards:dashboard_town"), {"severity": "major"})
    assert response.context["total"].total == 1


def test_map_points_per_building_with_open_hazards(world, hazards, login):
    data = json.loads(login("detachment").get(reverse("hazards:hazard_map_data")).content)
    points = {p[0]: p for p in data["points"]}
    res_a1, res_b1 = world.buildings["res_a1"].pk, world.buildings["res_b1"].pk
    assert set(points) == {res_a1, res_b1}  # the school's only hazard is closed
    assert points[res_a1][3:6] == [2, 0, 1]  # two open, none major, one overdue
    assert points[res_b1][3:6] == [1, 1, 0]
    scoped = json.loads(login("town_b").get(reverse("hazards:hazard_map_data")).content)
    assert [p[0] for p in scoped["points"]] == [res_b1]
    assert login("town_a").get(reverse("hazards:hazard_map")).status_code == 200


def test_my_work_for_the_unit_and_the_town(world, hazards, login):
    Hazard.objects.filter(pk=hazards["exit_a1"].pk).update(state="rectifying")
    unit = login("property").get(reverse("hazards:my_work"))
    sections = {s.key: s for s in unit.context["sections"]}
    assert [i.title.split()[0] for i in sections["hazards"].items] == [hazards["exit_a1"].code]
    assert sections["hazards"].items[0].overdue

    town = login("town_a").get(reverse("hazards:my_work"))
    items = {s.key: s for s in town.context["sections"]}["hazards"].items
    # lane_a1 is open (to assign); overdue ones would come first.
    assert [i.title.split()[0] for i in items] == [hazards["lane_a1"].code]

    detachment = login("detachment").get(reverse("hazards:my_work"))
    items = {s.key: s for s in detachment.context["sections"]}["hazards"].items
    # Open lane_a1 (to assign) and submitted major_b1 (to accept), the earliest deadline first.
    assert [i.title.split()[0] for i in items] == [
        hazards["lane_a1"].code,
        hazards["major_b1"].code,
    ]

    viewer = login("leadership").get(reverse("hazards:my_work"))
    assert viewer.context["sections"] == []
    assert "Nothing is waiting" in viewer.content.decode() or viewer.status_code == 200


def test_navigation_links(world, login):
    page = login("town_a").get(reverse("buildings:building_list")).content.decode()
    for name in (
        "hazards:my_work",
        "hazards:hazard_list",
        "hazards:dashboard_town",
        "hazards:hazard_map",
    ):
        assert reverse(name) in page
