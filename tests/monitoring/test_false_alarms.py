"""False-alarm rate per building: the building's tab, the ranking per town, its export, the API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from towerwatch.buildings.actions import save_building
from towerwatch.buildings.models import Building
from towerwatch.core.testing.world import World
from towerwatch.monitoring import stats
from towerwatch.monitoring.models import AlarmCase, Device

pytestmark = pytest.mark.django_db


def cases(building: Building, states: list[str], age_days: float = 1, kind: str = "fire_alarm"):
    device, _ = Device.objects.get_or_create(
        kind="uitd", address=f"{building.pk:012x}", defaults={"building": building}
    )
    opened = timezone.now() - timedelta(days=age_days)
    for state in states:
        n = AlarmCase.objects.count()
        AlarmCase.objects.create(
            device=device,
            building=building,
            kind=kind,
            component_address=f"p{n}",
            state=state,
            opened_at=opened,
            last_event_at=opened,
        )


@pytest.fixture
def alarms(world: World) -> World:
    a1, b1 = world.buildings["res_a1"], world.buildings["res_b1"]
    cases(a1, ["false_alarm", "false_alarm", "false_alarm", "confirmed_fire", "open"])
    cases(a1, ["false_alarm"], age_days=200)  # outside the default 90 days
    cases(a1, ["false_alarm"], kind="fault")  # not a fire alarm
    cases(b1, ["false_alarm", "test"])
    return world


def test_the_rate_counts_decided_fire_alarms_in_the_window(alarms: World) -> None:
    a1 = alarms.buildings["res_a1"]
    fa = stats.for_building(a1)
    assert (fa.days, fa.cases, fa.false, fa.percent) == (90, 4, 3, 75.0)
    assert stats.for_building(a1, 365).as_dict() == {
        "window_days": 365,
        "fire_alarm_cases": 5,
        "false_alarms": 4,
        "rate": 0.8,
    }
    assert stats.for_building(alarms.buildings["school_a2"]).rate is None


def test_the_window_is_a_setting(alarms: World, login, settings) -> None:
    url = alarms.buildings["res_a1"].get_absolute_url() + "?tab=monitoring"
    page = login("town_a").get(url).content.decode()
    assert "75.0%" in page
    settings.TOWERWATCH_FALSE_ALARM_WINDOW_DAYS = 365
    assert "80.0%" in login("town_a").get(url).content.decode()


def test_the_ranking_is_scoped_per_town_and_exports(alarms: World, login) -> None:
    a1, b1 = alarms.buildings["res_a1"], alarms.buildings["res_b1"]
    url = reverse("monitoring:false_alarms")
    page = login("detachment").get(url).content.decode()
    assert page.index(a1.code) < page.index(b1.code)  # 75% before 50%
    town_page = login("detachment").get(url, {"town": alarms.regions["town_b"].pk})
    assert a1.code not in town_page.content.decode() and b1.code in town_page.content.decode()
    mine = login("town_a").get(url).content.decode()
    assert a1.code in mine and b1.code not in mine
    assert "80.0%" in login("town_a").get(url, {"days": 365}).content.decode()
    export = login("town_a").get(url, {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == a1.code and rows[1][3:] == (4, 3, 75.0) and len(rows) == 2


def test_the_ranking_is_one_aggregate_whatever_the_number_of_buildings(
    alarms: World, login
) -> None:
    client = login("detachment")
    url = reverse("monitoring:false_alarms")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        b = save_building(
            Building(
                name=f"测试楼{i}",
                address="测试路",
                region=alarms.regions["grid_a1"],
                height_m=60,
                storeys_above=20,
                use="residential",
            ),
            acting_user=None,
        )
        cases(b, ["false_alarm", "confirmed_fire"])
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "测试楼29" in page
    assert len(many.captured_queries) == len(few.captured_queries)
    aggregates = [q["sql"] for q in many.captured_queries if "GROUP BY" in q["sql"]]
    assert aggregates, "the rates come from a grouped query"


def test_the_building_api_carries_the_rate(alarms: World, client) -> None:
    from towerwatch.core.testing.world import PASSWORD

    token = client.post(
        reverse("api:token"), {"username": "detachment", "password": PASSWORD}
    ).json()["token"]
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    a1 = alarms.buildings["res_a1"]
    detail = client.get(reverse("api:building-detail", args=[a1.pk])).json()
    assert detail["false_alarms"] == {
        "window_days": 90,
        "fire_alarm_cases": 4,
        "false_alarms": 3,
        "rate": 0.75,
    }
    with CaptureQueriesContext(connection) as q:
        listing = client.get(reverse("api:building-list")).json()
    by_code = {b["code"]: b["false_alarms"] for b in listing["results"]}
    assert by_code[alarms.buildings["res_b1"].code]["rate"] == 0.5
    assert by_code[alarms.buildings["school_a2"].code]["rate"] is None
    before = len(q.captured_queries)
    cases(alarms.buildings["school_a2"], ["false_alarm"])
    with CaptureQueriesContext(connection) as q2:
        client.get(reverse("api:building-list"))
    assert len(q2.captured_queries) == before  # no query per building


def test_the_ranking_sorts_by_any_column_without_splitting_groups(alarms: World, login) -> None:
    a1, b1 = alarms.buildings["res_a1"], alarms.buildings["res_b1"]
    client = login("detachment")
    url = reverse("monitoring:false_alarms")
    for sort in ("code", "-code", "name", "fa_cases", "-fa_false", "fa_rate"):
        page = client.get(url, {"sort": sort}).content.decode()
        assert page.count(a1.code) == 1 and page.count(b1.code) == 1, sort
    by_code = client.get(url, {"sort": "-code"}).content.decode()
    assert by_code.index(b1.code) < by_code.index(a1.code)
    rates = reverse("monitoring:duty_rates")
    for sort in ("code", "-name", "dc_asked", "-dc_rate"):
        assert client.get(rates, {"sort": sort}).status_code == 200
