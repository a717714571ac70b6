"""The rectification loop driven through the hazard page: buttons per persona, errors per field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from towerwatch.hazards.models import Hazard, Referral

from .conftest import png

pytestmark = pytest.mark.django_db


def post_transition(client, hazard, state, **data):
    payload = {f"t-{state}-new_state": state}
    payload.update({f"t-{state}-{k}": v for k, v in data.items()})
    return client.post(reverse("hazards:hazard_transition", args=[hazard.pk]), payload)


def forms_on(client, hazard) -> list[str]:
    return [t["state"] for t in client.get(hazard.get_absolute_url()).context["transitions"]]


def test_the_loop_through_the_page(world, hazards, login):
    lane = hazards["lane_a1"]
    assert forms_on(login("property"), lane) == []
    assert forms_on(login("leadership"), lane) == []
    town = login("town_a")
    assert forms_on(town, lane) == ["assigned", "void"]

    assert post_transition(town, lane, "assigned").status_code == 302
    lane.refresh_from_db()
    assert lane.state == "assigned"

    unit = login("property")
    assert forms_on(unit, lane) == ["rectifying"]
    assert post_transition(unit, lane, "rectifying").status_code == 302

    # Submission without evidence: refused, the error is on the photos field, nothing changed.
    response = post_transition(unit, lane, "submitted")
    assert response.status_code == 400
    transition = next(t for t in response.context["transitions"] if t["state"] == "submitted")
    assert "photos" in transition["form"].errors
    assert 'data-field-error="photos"' in response.content.decode()
    lane.refresh_from_db()
    assert lane.state == "rectifying"

    # A file that is not an image: refused on the photos field too.
    bad = SimpleUploadedFile("fixed.jpg", b"GIF89a nonsense")
    response = post_transition(unit, lane, "submitted", photos=bad)
    assert response.status_code == 400
    assert 'data-field-error="photos"' in response.content.decode()
    lane.refresh_from_db()
    assert lane.state == "rectifying" and not lane.photos.filter(stage="evidence").exists()

    assert post_transition(unit, lane, "submitted", photos=png("fixed.png")).status_code == 302
    lane.refresh_from_db()
    assert lane.state == "submitted" and lane.photos.filter(stage="evidence").count() == 1

    # Rejection without a reason: refused on the note field.
    town = login("town_a")
    response = post_transition(town, lane, "rectifying")
    assert response.status_code == 400
    assert 'data-field-error="note"' in response.content.decode()
    assert post_transition(town, lane, "rectifying", note="杂物未清理干净").status_code == 302
    unit = login("property")
    post_transition(unit, lane, "submitted", note="已全部清理", photos=png("again.png"))
    town = login("town_a")
    assert post_transition(town, lane, "closed").status_code == 302
    lane.refresh_from_db()
    assert lane.state == "closed" and lane.closed_at is not None
    page = town.get(lane.get_absolute_url()).content.decode()
    assert "杂物未清理干净" in page and "已全部清理" in page  # both on the timeline


def test_a_transition_not_offered_is_forbidden(world, hazards, login):
    response = post_transition(login("property"), hazards["lane_a1"], "assigned")
    assert response.status_code == 403
    assert Hazard.objects.get(pk=hazards["lane_a1"].pk).state == "open"
    # Outside the scope: 404.
    assert post_transition(login("town_b"), hazards["lane_a1"], "assigned").status_code == 404


def test_deadline_change_errors_per_field(world, hazards, login):
    client = login("town_a")
    lane = hazards["lane_a1"]
    url = reverse("hazards:hazard_deadline", args=[lane.pk])
    past = client.post(url, {"deadline": "2020-01-01", "reason": "延期"})
    assert past.status_code == 400 and "deadline" in past.context["deadline_form"].errors
    no_reason = client.post(url, {"deadline": str(timezone.localdate() + dt.timedelta(days=9))})
    assert no_reason.status_code == 400 and "reason" in no_reason.context["deadline_form"].errors
    new = timezone.localdate() + dt.timedelta(days=9)
    assert client.post(url, {"deadline": str(new), "reason": "需采购配件"}).status_code == 302
    lane.refresh_from_db()
    assert lane.deadline == new
    # The responsible unit may not move its own deadline.
    assert login("property").post(url, {"deadline": str(new), "reason": "x"}).status_code == 403


def test_refer_and_answer(world, hazards, login):
    lane = hazards["lane_a1"]
    town = login("town_a")
    reply_by = timezone.localdate() + dt.timedelta(days=5)
    response = town.post(
        reverse("hazards:hazard_refer", args=[lane.pk]),
        {
            "departments": [world.orgs["housing"].pk],
            "note": "请督促物业整改",
            "reply_by": str(reply_by),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get(hazard=lane)
    housing = login("housing")
    work = housing.get(reverse("hazards:my_work")).content.decode()
    assert lane.code in work
    empty = housing.post(reverse("hazards:referral_answer", args=[referral.pk]), {"answer": ""})
    assert empty.status_code == 400
    ok = housing.post(
        reverse("hazards:referral_answer", args=[referral.pk]), {"answer": "已约谈物业"}
    )
    assert ok.status_code == 302
    referral.refresh_from_db()
    assert referral.answer == "已约谈物业"


def test_comment_goes_on_the_timeline(world, hazards, login):
    client = login("property")
    lane = hazards["lane_a1"]
    response = client.post(
        reverse("hazards:hazard_comment", args=[lane.pk]), {"note": "已联系车主"}
    )
    assert response.status_code == 302
    assert "已联系车主" in client.get(lane.get_absolute_url()).content.decode()
