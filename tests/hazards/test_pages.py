"""Hazard pages per persona: scope (404 outside it), filters, the report form, photos."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from towerwatch.core.testing.world import EXPECTED_VISIBLE
from towerwatch.hazards.models import Hazard

from .conftest import png

pytestmark = pytest.mark.django_db

BUILDING_OF = {
    "lane_a1": "res_a1",
    "exit_a1": "res_a1",
    "school": "school_a2",
    "ebike_b1": "res_b1",
    "major_b1": "res_b1",
}


def codes(response) -> set[str]:
    return {h.code for h in response.context["page"].object_list}


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_list_and_detail_follow_the_scope_matrix(world, hazards, login, persona):
    client = login(persona)
    expected = {h.code for k, h in hazards.items() if BUILDING_OF[k] in EXPECTED_VISIBLE[persona]}
    response = client.get(reverse("hazards:hazard_list"))
    if persona == "nobody":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert codes(response) == expected
    for key, h in hazards.items():
        visible = BUILDING_OF[key] in EXPECTED_VISIBLE[persona]
        for url in (
            h.get_absolute_url(),
            reverse("hazards:hazard_document", args=[h.pk, "notice"]),
            reverse("hazards:hazard_document", args=[h.pk, "acceptance"]),
        ):
            assert client.get(url).status_code == (200 if visible else 404), (persona, key, url)


def test_filters(world, hazards, login):
    client = login("detachment")
    url = reverse("hazards:hazard_list")
    h = hazards

    def q(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.context["filter"].errors
        return codes(response)

    assert q(town=world.regions["town_b"].pk) == {h["ebike_b1"].code, h["major_b1"].code}
    assert q(building=world.buildings["res_a1"].code) == {h["lane_a1"].code, h["exit_a1"].code}
    assert q(building=str(world.buildings["school_a2"].pk)) == {h["school"].code}
    assert q(category=["fire_lane", "ebike"]) == {h["lane_a1"].code, h["ebike_b1"].code}
    assert q(severity="major") == {h["major_b1"].code}
    assert q(state=["closed"]) == {h["school"].code, h["ebike_b1"].code}
    assert q(is_open="true") == {h["lane_a1"].code, h["exit_a1"].code, h["major_b1"].code}
    assert q(overdue="true") == {h["exit_a1"].code}
    assert q(source="supervision") == {h["school"].code, h["major_b1"].code}
    assert q(unit=world.orgs["other_property"].pk) == {h["ebike_b1"].code, h["major_b1"].code}
    today = timezone.localdate()
    assert q(
        found_from=str(today - dt.timedelta(days=10)), found_to=str(today - dt.timedelta(days=5))
    ) == {
        h["exit_a1"].code,
        h["major_b1"].code,
    }
    assert q(q="车道") == {h["lane_a1"].code}
    assert q(q=h["school"].code) == {h["school"].code}
    assert q(q="白沙新城") == {h["ebike_b1"].code, h["major_b1"].code}
    # Sorting by deadline, oldest first.
    response = client.get(url, {"sort": "deadline"})
    deadlines = [x.deadline for x in response.context["page"].object_list]
    assert deadlines == sorted(deadlines)


def test_filter_choices_are_scoped(world, hazards, login):
    form = login("town_b").get(reverse("hazards:hazard_list")).context["filter"].form
    assert list(form.fields["town"].queryset) == [world.regions["town_b"]]


def test_detail_shows_facts_citation_timeline_and_photo(world, hazards, login):
    client = login("town_a")
    h = hazards["lane_a1"]
    page = client.get(h.get_absolute_url()).content.decode()
    assert h.title in page and "北侧消防车道" in page
    assert "第三十六条" in page  # the deadline's rule citation
    assert "津城物业" in page  # the responsible unit from the building's chain
    photo = h.photos.get()
    photo_url = reverse("hazards:hazard_photo", args=[photo.pk])
    assert photo_url in page
    response = client.get(photo_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    # Outside the scope the photo does not exist.
    assert login("town_b").get(photo_url).status_code == 404


def test_building_page_has_a_hazards_tab_and_report_button(world, hazards, login):
    client = login("town_a")
    b = world.buildings["res_a1"]
    page = client.get(b.get_absolute_url()).content.decode()
    assert reverse("hazards:building_hazards", args=[b.pk]) in page
    assert reverse("hazards:hazard_add") + f"?building={b.pk}" in page
    tab = client.get(reverse("hazards:building_hazards", args=[b.pk])).content.decode()
    assert hazards["lane_a1"].code in tab and hazards["exit_a1"].code in tab
    assert hazards["school"].code not in tab
    assert login("town_b").get(reverse("hazards:building_hazards", args=[b.pk])).status_code == 404


def test_report_a_hazard_with_photos(world, login, media):
    client = login("grid_a2")
    b = world.buildings["school_a2"]
    form = client.get(reverse("hazards:hazard_add"), {"building": b.pk})
    assert form.status_code == 200
    assert b.code in form.content.decode()
    assert "第三十六条" in form.content.decode()  # the rule's deadline is shown with its citation
    response = client.post(
        reverse("hazards:hazard_add"),
        {
            "building": f"{b.code} {b.name}",
            "source": "patrol",
            "category": "exit_blocked",
            "severity": "general",
            "title": "三楼安全出口上锁",
            "floor": "3",
            "photos": [png("a.png"), png("b.png", "blue")],
        },
    )
    assert response.status_code == 302
    h = Hazard.objects.get(title="三楼安全出口上锁")
    assert response["Location"] == h.get_absolute_url()
    assert h.building == b and h.found_by == world.users["grid_a2"]
    assert h.photos.count() == 2
    assert h.deadline == timezone.localdate() + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"deadline": "2020-01-01"}, "deadline", "past"),
        ({"deadline": "+30"}, "deadline_reason", "say why"),
        ({"photos": "text"}, "photos", "not an image"),
        ({"building": "999999-999999"}, "building", "No building"),
        ({"title": ""}, "title", ""),
    ],
)
def test_report_form_shows_errors_per_field(world, login, media, change, field, message):
    client = login("town_a")
    b = world.buildings["res_a1"]
    data = {
        "building": b.code,
        "source": "patrol",
        "category": "fire_lane",
        "severity": "general",
        "title": "消防车道堆放杂物",
    }
    if change.get("deadline") == "+30":
        change = {"deadline": str(timezone.localdate() + dt.timedelta(days=30))}
    if change.get("photos") == "text":
        from django.core.files.uploadedfile import SimpleUploadedFile

        change = {"photos": SimpleUploadedFile("x.jpg", b"not an image at all")}
    data.update(change)
    response = client.post(reverse("hazards:hazard_add"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert errors[field]  # the message itself is translated (zh-hans by default)
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not Hazard.objects.exists()


def test_report_elsewhere_or_as_viewer_is_refused(world, login, media):
    b = world.buildings["res_b1"]
    response = login("town_a").post(
        reverse("hazards:hazard_add"),
        {"building": b.code, "source": "patrol", "category": "other", "title": "x"},
    )
    assert response.status_code == 400 and "building" in response.context["form"].errors
    assert login("leadership").get(reverse("hazards:hazard_add")).status_code == 403
    assert not Hazard.objects.exists()


def test_deadline_hint_follows_category_and_severity(world, login):
    client = login("town_a")
    today = timezone.localdate()
    major = client.get(reverse("hazards:deadline_hint"), {"category": "gas", "severity": "major"})
    assert str(today + dt.timedelta(days=90)) in major.content.decode()
    lane = client.get(reverse("hazards:deadline_hint"), {"category": "fire_lane"})
    assert str(today + dt.timedelta(days=1)) in lane.content.decode()


def test_building_suggestions_are_scoped(world, login):
    client = login("town_b")
    own = client.get(reverse("hazards:building_suggest"), {"building": "白沙"}).content.decode()
    assert world.buildings["res_b1"].code in own
    other = client.get(reverse("hazards:building_suggest"), {"building": "滨江"}).content.decode()
    assert world.buildings["res_a1"].code not in other


def test_list_query_count_does_not_grow_with_rows(
    world, hazards, login, django_assert_max_num_queries
):
    client = login("detachment")
    with django_assert_max_num_queries(12):
        client.get(reverse("hazards:hazard_list"))


def test_unmasked_phone_on_the_hazard_page_is_audited(world, hazards, login):
    from towerwatch.core.models import AuditEvent, AuditKind

    lane = hazards["lane_a1"]
    page = login("town_a").get(lane.get_absolute_url()).content.decode()
    assert "13812345678" in page
    assert AuditEvent.objects.filter(kind=AuditKind.UNMASK, detail__hazard=lane.pk).count() == 1
    masked = login("property").get(lane.get_absolute_url()).content.decode()
    assert "13812345678" not in masked
