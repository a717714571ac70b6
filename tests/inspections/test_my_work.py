"""Patrols and inspections in "my work" (/hazards/mine/) per persona, and the second
escalation step to the town government, with frozen time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from towerwatch.accounts.choices import Role
from towerwatch.accounts.models import Membership, User
from towerwatch.buildings.models import Building
from towerwatch.core.testing.world import PASSWORD, build_world
from towerwatch.inspections import actions
from towerwatch.inspections.choices import Due
from towerwatch.inspections.compliance import compute, overdue_counts
from towerwatch.inspections.jobs import remind_and_escalate
from towerwatch.inspections.models import ScheduleNotice
from towerwatch.notifications.models import Notification
from towerwatch.rules.models import Rule

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=CST)


def _done(user, building, kind):
    record = actions.start_record(acting_user=user, building=building, kind=kind)
    for item in record.items.all():
        actions.answer_item(item, acting_user=user, result="pass")
    return actions.sign_off(record, acting_user=user)


@pytest.fixture
def w(db):
    with time_machine.travel(T0, tick=False):
        world = build_world()
        for kind in ("patrol", "inspection", "full_test", "assessment", "drill"):
            _done(world.users["property"], world.buildings["res_a1"], kind)
    return world


def _my_work(client, username):
    client.logout()
    assert client.login(username=username, password=PASSWORD)
    response = client.get("/hazards/mine/")
    assert response.status_code == 200
    sections = {s.key: s for s in response.context["sections"]}
    return response.content.decode(), sections.get("inspections")


def test_the_property_company_sees_its_overdue_patrol_first(client, w):
    res = w.buildings["res_a1"]
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        _check_property(client, w, res)


def _check_property(client, w, res):
    html, section = _my_work(client, "property")
    assert section is not None
    first = section.items[0]
    assert first.overdue and first.place == "滨江花园1栋" and first.due == dt.date(2026, 3, 2)
    assert first.url == f"/inspections/building/{res.pk}/?kind=patrol#tw-start"
    assert first.badge == str(Due.OVERDUE.label)
    # Only the patrol is late; the monthly inspection is not due until 2026-03-31.
    assert [(i.url.split("kind=")[1], i.place) for i in section.items] == [
        ("patrol#tw-start", "滨江花园1栋")
    ]
    assert section.total == 1
    assert f'href="/inspections/building/{res.pk}/?kind=patrol#tw-start"' in html
    # The link opens the start form with the patrol chosen.
    response = client.get(first.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="patrol" selected' in page
    # The owner unit, another party of the same building, sees it too.
    _html, owner = _my_work(client, "owner")
    assert owner is not None and {i.place for i in owner.items} == {"滨江花园1栋"}


def test_due_today_shows_without_being_overdue(client, w):
    with time_machine.travel(T0 + dt.timedelta(days=1, hours=1), tick=False):
        _html, section = _my_work(client, "property")
    assert section is not None and len(section.items) == 1
    item = section.items[0]
    assert item.due == dt.date(2026, 3, 2) and not item.overdue


def test_another_company_sees_nothing_of_it(client, w):
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        # The world has no user of 白沙物业: add one.
        user = User.objects.create_user(username="baisha", password="x")
        Membership.objects.create(user=user, organization=w.orgs["other_property"], role=Role.STAFF)
        client.force_login(user)
        response = client.get("/hazards/mine/")
    html = response.content.decode()
    section = {s.key: s for s in response.context["sections"]}["inspections"]
    assert "滨江花园1栋" not in html
    # Its own building (never inspected since it was registered) is there instead.
    assert {i.place for i in section.items} == {"白沙新城3栋"}
    assert f"/inspections/building/{w.buildings['res_a1'].pk}/" not in html


def test_a_town_sees_a_summary_per_kind_linking_to_the_filtered_list(client, w):
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        _html, section = _my_work(client, "town_a")
        assert section is not None
        # Patrols: res_a1 (last 2026-03-01) and the school (never) are late; nothing else.
        assert len(section.items) == 1 and section.total == 1
        item = section.items[0]
        assert item.title.startswith("2") and item.overdue
        town = w.regions["town_a"]
        assert item.url == f"/inspections/compliance/town/{town.pk}/?state=overdue&kind=patrol"
        listing = client.get(item.url).content.decode()
        assert "滨江花园1栋" in listing and "江津中学教学楼" in listing
        assert "白沙新城3栋" not in listing
        # Town B counts only its own building; the detachment counts all three.
        _html, town_b = _my_work(client, "town_b")
        assert town_b is not None and town_b.items[0].title.startswith("1")
        _html, detachment = _my_work(client, "detachment")
        assert detachment is not None and detachment.items[0].title.startswith("3")
        assert detachment.items[0].url == "/inspections/compliance/"
        # A viewer has no work to do.
        _html, viewer = _my_work(client, "leadership")
        assert viewer is None
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        _html, section = _my_work(client, "town_a")
        kinds = [i.url.rsplit("kind=", 1)[1] for i in section.items]
        assert kinds == ["patrol", "inspection"]  # res_a1's monthly inspection, the school's
        listing = client.get(section.items[1].url).content.decode()
        assert "滨江花园1栋" in listing and "江津中学教学楼" in listing


def test_the_grid_officer_sees_the_grid_walks_of_the_grid(client, w):
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        _html, section = _my_work(client, "grid_a2")
        assert section is None  # a walk every 30 days (rule set): not due yet
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        _html, section = _my_work(client, "grid_a2")
        assert section is not None
        assert [(i.place, i.overdue) for i in section.items] == [("江津中学教学楼", True)]
        school = w.buildings["school_a2"]
        assert section.items[0].url == f"/inspections/building/{school.pk}/?kind=grid_walk#tw-start"
        _done(w.users["grid_a2"], school, "grid_walk")
        _html, section = _my_work(client, "grid_a2")
        assert section is None


@pytest.mark.parametrize("offset", [3, 20, 31, 200, 400])
def test_summary_counts_agree_with_the_full_computation(w, offset):
    with time_machine.travel(T0 + dt.timedelta(days=offset), tick=False):
        _done(w.users["property"], w.buildings["res_a1"], "patrol")
        statuses = compute(Building.objects.all())
        expected = {
            k: sum(1 for s in statuses if s.cells[k].state in (Due.OVERDUE, Due.NEVER))
            for k in statuses[0].cells
        }
        with CaptureQueriesContext(connection) as queries:
            counts = overdue_counts(Building.objects.all())
    assert counts == expected
    assert len(queries) == 2  # the rule set, then one aggregate whatever the buildings


def test_my_work_query_count_does_not_grow_with_buildings(client, w):
    """The town's summary stays one aggregate; the page's queries are the same with more
    buildings (bulk copies of the school, all never inspected)."""

    def count() -> int:
        with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
            _my_work(client, "town_a")
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/hazards/mine/").status_code == 200
        return len(queries)

    before = count()
    school = w.buildings["school_a2"]
    copies = []
    for n in range(40):
        copy = Building.objects.get(pk=school.pk)
        copy.pk = None
        copy.code = f"500116-9{n:05d}"
        copy.public_token = f"copy{n}"
        copies.append(copy)
    Building.objects.bulk_create(copies)
    assert count() == before


@pytest.mark.parametrize("town_days", [10, 5])
def test_overdue_work_escalates_a_second_step_to_the_town(w, town_days):
    if town_days != 10:  # the shipped value is 10 for inspections; a local override
        rule = Rule.objects.get(key="inspections.town_escalation_after_days")
        rule.value = {**rule.value, "inspection": town_days}
        rule.value_overridden = True
        rule.save()
    res = w.buildings["res_a1"]
    Building.objects.exclude(pk=res.pk).update(stage="construction")
    property_user, town_user = w.users["property"], w.users["town_a"]

    def run(late_days: int) -> int:
        # The inspection was due on 2026-03-31; the patrol is done each day we look.
        day = T0 + dt.timedelta(days=30 + late_days)
        with time_machine.travel(day, tick=False):
            _done(property_user, res, "patrol")
        with time_machine.travel(day + dt.timedelta(hours=1), tick=False):
            return remind_and_escalate()

    def levels() -> list[str]:
        return list(
            ScheduleNotice.objects.filter(kind="inspection")
            .order_by("id")
            .values_list("level", flat=True)
        )

    assert run(3) == 1 and levels() == ["escalation"]  # the first step: the building chain
    told_property = Notification.objects.filter(user=property_user).count()
    assert run(town_days - 1) == 0
    assert run(town_days) == 1 and levels() == ["escalation", "town"]
    notice = ScheduleNotice.objects.get(level="town")
    town_members = {town_user.pk, w.users["grid_a2"].pk}
    assert notice.recipients == len(town_members)
    latest = Notification.objects.filter(user=town_user).latest("id")
    assert "滨江花园1栋" in latest.text and "2026-03-31" in latest.text
    assert str(town_days) in latest.text
    # The second step goes to the town government only, and only once.
    assert Notification.objects.filter(user=property_user).count() == told_property
    assert run(town_days + 1) == 0
