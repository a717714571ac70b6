"""Public reports: submission through the real pages, throttling, validation, triage, rewards."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from towerwatch.hazards import reports
from towerwatch.hazards.actions import open_hazard
from towerwatch.hazards.models import (
    Hazard,
    HazardStep,
    PublicReport,
    PublicReportPhoto,
    ReportReward,
    ReportThrottle,
)

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def png(name: str = "exit.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TOWERWATCH_REPORT_LIMIT_IP = "3/h,5/d"
    settings.TOWERWATCH_REPORT_LIMIT_PHONE = "2/h"


def post_report(client: Client, building, ip: str = "10.0.0.1", **data):
    fields = {
        "category": "exit_blocked",
        "description": "三楼安全出口被杂物堵住",
        "phone": "",
        "website": "",
        **data,
    }
    return client.post(
        reverse("reports:building", args=[building.public_token]), fields, REMOTE_ADDR=ip
    )


def written() -> tuple[int, int, int]:
    return (
        PublicReport.objects.count(),
        PublicReportPhoto.objects.count(),
        ReportThrottle.objects.count(),
    )


def test_resident_reports_from_the_qr_page_and_follows_the_ticket(world, client):
    b = world.buildings["res_a1"]
    page = client.get(reverse("public:public_building", args=[b.public_token]))
    assert reverse("reports:building", args=[b.public_token]) in page.content.decode()
    resp = post_report(client, b, phone="138 0013 8000", photos=[png(), png("b.png")])
    assert resp.status_code == 302
    report = PublicReport.objects.get()
    assert len(report.ticket) == 8 and set(report.ticket) <= set(reports.TICKET_ALPHABET)
    assert report.town == world.regions["town_a"]
    assert report.phone == "13800138000" and report.photos.count() == 2
    assert report.client_key and "10.0.0.1" not in report.client_key
    follow = client.get(resp["Location"])
    html = follow.content.decode()
    assert follow.status_code == 200 and report.ticket in html
    assert "waiting to be checked" in html or "等待" in html
    # Nothing personal: not the phone, not the description, not the posted manager's name.
    for secret in ("13800138000", "8000", "三楼安全出口", "张伟", "13812345678"):
        assert secret not in html
    lower = client.get(reverse("reports:follow", args=[report.ticket.lower()]))
    assert lower.status_code == 200
    assert client.get(reverse("reports:follow", args=["ZZZZZZZZ"])).status_code == 404


def test_report_without_a_building_goes_to_the_chosen_town_or_the_detachment(world, client):
    start = client.get(reverse("reports:start"), {"q": "滨江"})
    assert "滨江花园1栋" in start.content.decode()
    assert world.buildings["res_a1"].public_token not in start.content.decode()
    url = reverse("reports:new")
    resp = client.post(
        url,
        {
            "category": "fire_lane",
            "description": "小区门口消防车道停满了车",
            "address": "白沙镇朝阳路 8 号",
            "town": world.regions["town_b"].pk,
        },
        REMOTE_ADDR="10.0.0.9",
    )
    assert resp.status_code == 302
    nowhere = client.post(
        url,
        {"category": "other", "description": "楼道里堆放纸箱", "address": "不知道哪一栋"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert nowhere.status_code == 302
    to_town, to_detachment = PublicReport.objects.order_by("pk")
    assert to_town.town == world.regions["town_b"] and to_town.building is None
    assert to_detachment.town is None
    assert set(PublicReport.objects.visible_to(world.users["town_b"])) == {to_town}
    assert not PublicReport.objects.visible_to(world.users["town_a"]).exists()
    assert set(PublicReport.objects.visible_to(world.users["detachment"])) == {
        to_town,
        to_detachment,
    }
    # The signed building reference from the search: tampering answers 404.
    assert client.get(url, {"b": "forged"}).status_code == 404


def test_flood_from_one_ip_is_refused_with_a_message_and_nothing_written(world, client):
    b = world.buildings["res_a1"]
    for _i in range(3):
        assert post_report(client, b, ip="10.1.1.1").status_code == 302
    before = written()
    refused = post_report(client, b, ip="10.1.1.1", photos=[png()])
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "119" in text and ("3" in text)
    assert written() == before
    # Another connection is not affected; a new hour opens the hourly window again.
    assert post_report(client, b, ip="10.1.1.2").status_code == 302
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=1)):
        assert post_report(client, b, ip="10.1.1.1").status_code == 302
        assert post_report(client, b, ip="10.1.1.1").status_code == 302
        # ...but the daily window (5) is now full: 3 + 2.
        assert post_report(client, b, ip="10.1.1.1").status_code == 429
    assert PublicReport.objects.count() == 6


def test_phone_limit_applies_across_connections(world):
    b = world.buildings["res_b1"]
    clients = [Client(), Client(), Client()]
    for i, c in enumerate(clients[:2]):
        assert post_report(c, b, ip=f"10.2.0.{i}", phone="13900001111").status_code == 302
    before = written()
    resp = post_report(clients[2], b, ip="10.2.0.9", phone="139-0000-1111")
    assert resp.status_code == 429 and PublicReport.objects.count() == 2
    assert written() == before
    assert post_report(clients[2], b, ip="10.2.0.9", phone="13900002222").status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"photos": [SimpleUploadedFile("x.png", b"not an image", "image/png")]}, "not an image"),
        ({"photos": "huge"}, "MB"),
        ({"photos": "many"}, "at most"),
        ({"phone": "12345"}, "11"),
        ({"website": "http://spam.example"}, ""),
        ({"description": "火"}, ""),
        ({"category": "nonsense"}, ""),
    ],
)
def test_bad_input_writes_nothing(world, client, settings, data, field):
    settings.TOWERWATCH_PHOTO_MAX_BYTES = 200
    settings.TOWERWATCH_REPORT_MAX_PHOTOS = 2
    if data.get("photos") == "huge":
        buf = io.BytesIO()
        Image.effect_noise((64, 64), 50).convert("RGB").save(buf, "PNG")
        data = {"photos": [SimpleUploadedFile("big.png", buf.getvalue(), "image/png")]}
    elif data.get("photos") == "many":
        settings.TOWERWATCH_PHOTO_MAX_BYTES = 10_000
        data = {"photos": [png("1.png"), png("2.png"), png("3.png")]}
    resp = post_report(client, world.buildings["res_a1"], **data)
    assert resp.status_code == 400
    assert field in resp.content.decode()
    assert written() == (0, 0, 0)


def test_csrf_is_enforced(world):
    strict = Client(enforce_csrf_checks=True)
    resp = post_report(strict, world.buildings["res_a1"])
    assert resp.status_code == 403 and PublicReport.objects.count() == 0


def test_triage_deadlines_follow_the_rule_set():
    # Received Friday 2025-03-07 10:00 (UTC+8): urgent within 24 h, others 3 working days.
    at = dt.datetime(2025, 3, 7, 10, 0, tzinfo=TZ)
    urgent = reports.triage_times("exit_blocked", at)
    assert urgent.urgent and urgent.triage_due == at + dt.timedelta(hours=24)
    assert "消防监督检查规定" in urgent.citation
    other = reports.triage_times("ebike", at)
    assert timezone.localtime(other.triage_due).date() == dt.date(2025, 3, 12)  # Mon, Tue, Wed
    assert other.reply_due == dt.date(2025, 3, 14)  # 5 working days


def test_triage_overdue_and_scope(world, login):
    with time_machine.travel(dt.datetime(2025, 3, 7, 10, 0, tzinfo=TZ), tick=False):
        lane = reports.submit_report(
            category="exit_blocked",
            description="安全出口上锁",
            building=world.buildings["res_a1"],
            client_ip="10.3.0.1",
        )
        slow = reports.submit_report(
            category="other",
            description="楼道堆物较多",
            building=world.buildings["res_b1"],
            phone="13700001234",
            client_ip="10.3.0.2",
        )
    with time_machine.travel(dt.datetime(2025, 3, 8, 11, 0, tzinfo=TZ), tick=False):
        assert set(PublicReport.objects.triage_overdue()) == {lane}
        c = login("town_a")
        listing = c.get(reverse("reports:triage_list"), {"triage_overdue": "true"})
        assert lane.ticket in listing.content.decode()
        assert slow.ticket not in listing.content.decode()
        assert c.get(reverse("reports:triage_detail", args=[slow.pk])).status_code == 404
        page = c.get(reverse("reports:triage_detail", args=[lane.pk]))
        assert page.status_code == 200 and "tw-triage-overdue" in page.content.decode()
    with time_machine.travel(dt.datetime(2025, 3, 13, 9, 0, tzinfo=TZ), tick=False):
        assert set(PublicReport.objects.triage_overdue()) == {lane, slow}
        # Phones: the town's staff see it, the district leadership's viewer only masked.
        page = login("town_b").get(reverse("reports:triage_detail", args=[slow.pk]))
        assert "13700001234" in page.content.decode()
        page = login("leadership").get(reverse("reports:triage_detail", args=[slow.pk]))
        assert "137****1234" in page.content.decode()
    for persona in ("property", "owner", "service", "utility", "nobody", "education"):
        c = login(persona)
        assert c.get(reverse("reports:triage_detail", args=[lane.pk])).status_code == 404


def test_valid_report_becomes_a_hazard_linked_back(world, login):
    report = reports.submit_report(
        category="exit_blocked",
        description="一楼安全出口被锁",
        building=world.buildings["res_a1"],
        photos=[png()],
        client_ip="10.4.0.1",
    )
    c = login("town_a")
    url = reverse("reports:triage_action", args=[report.pk, "accept"])
    resp = c.post(
        url,
        {
            "accept-title": "安全出口上锁",
            "accept-category": "exit_blocked",
            "accept-severity": "general",
        },
    )
    assert resp.status_code == 302
    report.refresh_from_db()
    hazard = Hazard.objects.get()
    assert report.state == "valid" and report.hazard == hazard
    assert hazard.source == "public_report" and hazard.source_ref == report.ticket
    assert hazard.photos.count() == 1 and hazard.responsible_org == world.orgs["property"]
    assert report.triaged_by == world.users["town_a"]
    # Triaged once only.
    again = c.post(
        reverse("reports:triage_action", args=[report.pk, "reject"]), {"reject-reason": "x"}
    )
    assert again.status_code == 400 and PublicReport.objects.get().state == "valid"
    # The follow page shows the hazard's state and the official reply, nothing else.
    c.post(
        reverse("reports:triage_action", args=[report.pk, "reply"]),
        {"reply-reply": "已责令物业当日整改。"},
    )
    public = Client().get(reverse("reports:follow", args=[report.ticket])).content.decode()
    assert "已责令物业当日整改" in public and hazard.code not in public
    assert "津城物业" not in public and "张伟" not in public


def test_duplicate_and_invalid_decisions(world, login):
    known = open_hazard(
        acting_user=None,
        building=world.buildings["res_b1"],
        source="patrol",
        category="fire_lane",
        title="消防车道停车",
    )
    dup = reports.submit_report(
        category="fire_lane", description="车道又被占了", building=world.buildings["res_b1"]
    )
    junk = reports.submit_report(
        category="other", description="隔壁装修太吵", building=world.buildings["res_b1"]
    )
    c = login("town_b")
    r = c.post(
        reverse("reports:triage_action", args=[dup.pk, "duplicate"]),
        {"duplicate-hazard_code": known.code},
    )
    assert r.status_code == 302
    dup.refresh_from_db()
    assert dup.state == "duplicate" and dup.hazard == known
    assert HazardStep.objects.filter(hazard=known, data__public_report=dup.ticket).exists()
    no_reason = c.post(
        reverse("reports:triage_action", args=[junk.pk, "reject"]), {"reject-reason": " "}
    )
    assert no_reason.status_code == 400
    junk.refresh_from_db()
    assert junk.state == "new"
    with pytest.raises(ValidationError):
        reports.reject_report(junk, acting_user=world.users["town_b"], reason="  ")
    reports.reject_report(junk, acting_user=world.users["town_b"], reason="噪音不属于消防隐患")
    junk.refresh_from_db()
    assert junk.state == "invalid" and Hazard.objects.count() == 1
    # A viewer may read but not triage; a grid officer neither outside its grid.
    assert (
        login("leadership")
        .post(reverse("reports:triage_action", args=[junk.pk, "reply"]), {"reply-reply": "x"})
        .status_code
        == 403
    )


def test_reward_only_for_valid_reports_within_the_cap(world, settings):
    settings.TOWERWATCH_REPORT_REWARD_MAX_YUAN = 500
    town = world.users["town_a"]
    report = reports.submit_report(
        category="ebike", description="电动车在楼道充电", building=world.buildings["res_a1"]
    )
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        reports.record_reward(report, acting_user=town, amount_yuan="100", approved_on=today)
    reports.accept_report(report, acting_user=town, title="楼道充电")
    for amount, approved, paid in [
        ("-1", today, None),
        ("500.01", today, None),
        ("abc", today, None),
        ("100", today + dt.timedelta(days=1), None),
        ("100", today, today + dt.timedelta(days=1)),
        ("100", today, today - dt.timedelta(days=1)),
    ]:
        with pytest.raises(ValidationError):
            reports.record_reward(
                report, acting_user=town, amount_yuan=amount, approved_on=approved, paid_on=paid
            )
    assert not ReportReward.objects.exists()
    reward = reports.record_reward(report, acting_user=town, amount_yuan="200", approved_on=today)
    assert reward.amount_yuan == Decimal("200.00") and reward.approved_by == town
    assert reward.paid_on is None
    reward = reports.record_reward(
        report, acting_user=town, amount_yuan="200", approved_on=today, paid_on=today
    )
    assert ReportReward.objects.get().paid_on == today


def test_limits_are_parsed_strictly():
    assert reports.parse_limits("5/h, 20/d,1/30m") == [(5, 3600), (20, 86400), (1, 1800)]
    with pytest.raises(ValueError):
        reports.parse_limits("five per hour")
