"""Opening a hazard: deadline from the rule set, responsible parties from the chain, bad input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from PIL import Image

from towerwatch.hazards.actions import open_hazard
from towerwatch.hazards.models import Hazard, HazardStep

pytestmark = pytest.mark.django_db


def png(name: str = "lane.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_open_takes_deadline_and_parties_from_rules_and_chain(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    lane = open_hazard(
        acting_user=world.users["town_a"],
        building=world.buildings["res_a1"],
        source="patrol",
        category="fire_lane",
        title="消防车道被私家车占用",
        photos=[png()],
    )
    assert lane.code == f"YH{today.year}-000001"
    assert lane.deadline == today + dt.timedelta(days=1)
    assert lane.deadline_rule == "hazards.rectification_days"
    assert lane.responsible_org == world.orgs["property"]
    assert lane.responsible_person == world.people["manager"]
    assert lane.photos.count() == 1
    step = HazardStep.objects.get(hazard=lane)
    assert step.kind == "found" and "第三十六条" in step.data["deadline_rule"]

    fault = open_hazard(
        acting_user=None,
        building=world.buildings["res_b1"],
        source="monitoring",
        category="fire_system",
        title="喷淋泵故障",
    )
    assert fault.code == f"YH{today.year}-000002"
    assert fault.deadline == today + dt.timedelta(days=1)  # GB 25201: 24 h
    assert fault.deadline_rule == "hazards.fault_repair_h"
    assert fault.responsible_org == world.orgs["other_property"]

    major = open_hazard(
        acting_user=None,
        building=world.buildings["res_b1"],
        source="supervision",
        category="other",
        severity="major",
        title="防火分区被改变",
    )
    assert major.deadline == today + dt.timedelta(days=90)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"deadline": dt.date(2020, 1, 1)}, "deadline"),
        ({"deadline": "soon"}, "deadline_reason"),
        ({"photos": "text"}, "photos"),
        ({"photos": "huge"}, "photos"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(world, settings, tmp_path, kwargs, field):
    settings.MEDIA_ROOT = tmp_path
    settings.TOWERWATCH_PHOTO_MAX_BYTES = 50
    if kwargs.get("deadline") == "soon":
        kwargs["deadline"] = timezone.localdate() + dt.timedelta(days=3)
    if kwargs.get("photos") == "text":
        kwargs["photos"] = [SimpleUploadedFile("x.jpg", b"not an image at all")]
    if kwargs.get("photos") == "huge":
        kwargs["photos"] = [png()]
    with pytest.raises(ValidationError) as exc:
        open_hazard(
            acting_user=world.users["town_a"],
            building=world.buildings["res_a1"],
            source="patrol",
            category="other",
            title="杂物堆放",
            **kwargs,
        )
    assert field in exc.value.message_dict
    assert not Hazard.objects.exists()
    assert not list(tmp_path.iterdir())


def test_a_building_outside_scope_is_404(world):
    with pytest.raises(Http404):
        open_hazard(
            acting_user=world.users["town_b"],
            building=world.buildings["res_a1"],
            source="patrol",
            category="other",
            title="x",
        )
    assert not Hazard.objects.exists()
