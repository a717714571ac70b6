"""Hazards in the test world: one per building, in several states (set directly: these tests
are about the pages, the workflow has its own tests)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from towerwatch.hazards.actions import open_hazard
from towerwatch.hazards.models import Hazard


def png(name: str = "photo.png", colour: str = "red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def hazards(world, media) -> dict[str, Hazard]:
    """lane_a1: open, found today, with a photo; exit_a1: overdue; school: closed on time after
    4 days; ebike_b1: closed late after 10 days; major_b1: submitted."""
    b = world.buildings
    town_a = world.users["town_a"]
    out = {
        "lane_a1": open_hazard(
            acting_user=town_a,
            building=b["res_a1"],
            source="patrol",
            category="fire_lane",
            title="消防车道被私家车占用",
            floor="1",
            location="北侧消防车道",
            interim_measures="设置警示标志，通知车主挪车",
            photos=[png()],
        ),
        "exit_a1": open_hazard(
            acting_user=None,
            building=b["res_a1"],
            source="inspection",
            category="exit_blocked",
            title="安全出口堵塞",
            found_at=at(10),
        ),
        "school": open_hazard(
            acting_user=None,
            building=b["school_a2"],
            source="supervision",
            category="electrical",
            title="配电箱线路老化",
            found_at=at(20),
        ),
        "ebike_b1": open_hazard(
            acting_user=None,
            building=b["res_b1"],
            source="patrol",
            category="ebike",
            title="电动自行车楼道充电",
            found_at=at(30),
        ),
        "major_b1": open_hazard(
            acting_user=None,
            building=b["res_b1"],
            source="supervision",
            category="other",
            severity="major",
            title="防火分区被改变",
            found_at=at(5),
        ),
    }
    # exit_a1's deadline (1 day after it was found) has passed: overdue.
    Hazard.objects.filter(pk=out["school"].pk).update(state="closed", closed_at=at(16))
    Hazard.objects.filter(pk=out["ebike_b1"].pk).update(state="closed", closed_at=at(20))
    Hazard.objects.filter(pk=out["major_b1"].pk).update(state="submitted", submitted_at=at(1))
    for h in out.values():
        h.refresh_from_db()
    return out


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read messages in English (the interface defaults to Chinese; the zh_Hans
    catalog's completeness is tested in tests/core/test_translations.py)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
