"""Doing the work: checkpoints, answers with photos, sign-off, hazards opened, scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from towerwatch.accounts.models import User
from towerwatch.core.testing.world import EXPECTED_VISIBLE
from towerwatch.hazards.models import Hazard
from towerwatch.inspections import actions
from towerwatch.inspections.models import CheckpointScan, InspectionRecord, RecordPhoto

from .conftest import png

pytestmark = pytest.mark.django_db


def _answer_all(record, user, result="pass"):
    for item in record.items.all():
        actions.answer_item(item, acting_user=user, result=result)


def test_a_checkpoint_of_another_building_is_refused(world):
    user = world.users["detachment"]
    here = world.buildings["res_a1"]
    elsewhere = world.buildings["res_b1"]
    own = actions.add_checkpoint(acting_user=user, building=here, name="一楼大堂")
    other = actions.add_checkpoint(acting_user=user, building=elsewhere, name="地下车库")
    record = actions.start_record(acting_user=user, building=here, kind="patrol")
    scan = actions.scan_checkpoint(record, acting_user=user, checkpoint=own)
    assert scan.at and scan.by == user
    with pytest.raises(ValidationError) as exc:
        actions.scan_checkpoint(record, acting_user=user, checkpoint=other)
    assert "白沙新城3栋" in exc.value.messages[0] and "滨江花园1栋" in exc.value.messages[0]
    assert CheckpointScan.objects.count() == 1


def test_scanning_a_checkpoint_url_records_presence(login, world):
    property_ = world.users["property"]
    here = world.buildings["res_a1"]
    cp = actions.add_checkpoint(acting_user=property_, building=here, name="消防控制室")
    client = login("property")
    # Nothing under way: the page says to start a patrol first.
    response = client.get(cp.get_absolute_url(), follow=True)
    assert "start one at 滨江花园1栋" in response.content.decode() or "滨江花园1栋" in (
        response.content.decode()
    )
    assert not CheckpointScan.objects.exists()
    response = client.post(f"/inspections/building/{here.pk}/start/", {"kind": "patrol"})
    record = InspectionRecord.objects.get()
    assert response["Location"] == record.get_absolute_url()
    response = client.get(cp.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == record.get_absolute_url()
    assert CheckpointScan.objects.get().checkpoint == cp
    # Town B cannot even see the checkpoint.
    assert login("town_b").get(cp.get_absolute_url()).status_code == 404


def test_sign_off_is_refused_while_items_are_unanswered(world):
    user = world.users["property"]
    record = actions.start_record(
        acting_user=user, building=world.buildings["res_a1"], kind="inspection"
    )
    first = record.items.first()
    actions.answer_item(first, acting_user=user, result="pass")
    with pytest.raises(ValidationError) as exc:
        actions.sign_off(record, acting_user=user)
    left = record.items.count() - 1
    assert f"{left}" in exc.value.messages[0]
    record.refresh_from_db()
    assert record.state == "open" and record.signed_at is None


def test_a_failed_item_opens_a_prefilled_hazard_linked_from_the_record(world, media):
    user = world.users["property"]
    building = world.buildings["res_a1"]
    record = actions.start_record(acting_user=user, building=building, kind="patrol")
    lane = record.items.get(hazard_category="fire_lane", code="P3")
    _answer_all(record, user)
    actions.answer_item(
        lane, acting_user=user, result="fail", note="两辆私家车占用消防车道", photos=[png()]
    )
    signed = actions.sign_off(record, acting_user=user, note="其余正常")
    assert signed.state == "signed" and signed.signed_by == user
    hazard = Hazard.objects.get()
    lane.refresh_from_db()
    assert lane.hazard == hazard
    assert hazard.source == "patrol" and hazard.category == "fire_lane"
    assert hazard.building == building and hazard.title == lane.text
    assert hazard.source_ref == f"XJ-{record.pk}-P3"
    assert "两辆私家车" in hazard.description and "第二十二条" in hazard.description
    assert hazard.photos.count() == 1
    with pytest.raises(ValidationError):
        actions.answer_item(lane, acting_user=user, result="pass")  # signed records are closed


@pytest.mark.parametrize(
    ("kind", "source"),
    [
        ("supervision", "supervision"),
        ("utility_check", "utility_check"),
        ("inspection", "inspection"),
    ],
)
def test_the_hazard_source_follows_the_kind_of_work(world, kind, source):
    user = world.users["detachment"]
    record = actions.start_record(acting_user=user, building=world.buildings["res_b1"], kind=kind)
    _answer_all(record, user, "na")
    actions.answer_item(record.items.first(), acting_user=user, result="fail", note="不合格")
    actions.sign_off(record, acting_user=user)
    assert Hazard.objects.get().source == source


def test_bad_photos_and_bad_answers_are_refused(world, media, settings):
    user = world.users["property"]
    record = actions.start_record(
        acting_user=user, building=world.buildings["res_a1"], kind="patrol"
    )
    item = record.items.first()
    for photos in (
        [SimpleUploadedFile("x.jpg", b"not an image at all")],
        [SimpleUploadedFile("doc.pdf", b"%PDF-1.4 ...")],
    ):
        with pytest.raises(ValidationError) as exc:
            actions.answer_item(item, acting_user=user, result="fail", note="x", photos=photos)
        assert "photos" in exc.value.message_dict
    settings.TOWERWATCH_PHOTO_MAX_BYTES = 50
    with pytest.raises(ValidationError) as exc:
        actions.answer_item(item, acting_user=user, result="fail", note="x", photos=[png()])
    assert "photos" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.answer_item(item, acting_user=user, result="maybe")
    assert "result" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.answer_item(item, acting_user=user, result="fail")  # no note, no photo
    assert "note" in exc.value.message_dict
    item.refresh_from_db()
    assert item.result == "" and not RecordPhoto.objects.exists()
    assert not list(media.iterdir())


def test_a_bad_photo_through_the_page_writes_nothing(login, world, media):
    client = login("property")
    record = actions.start_record(
        acting_user=world.users["property"], building=world.buildings["res_a1"], kind="patrol"
    )
    item = record.items.first()
    response = client.post(
        f"/inspections/record/{record.pk}/item/{item.pk}/",
        {"result": "fail", "note": "x", "photos": SimpleUploadedFile("a.png", b"junk")},
        follow=True,
    )
    assert "is not an image" in response.content.decode() or "不是图片" in response.content.decode()
    item.refresh_from_db()
    assert item.result == ""


@pytest.mark.parametrize("username", sorted(EXPECTED_VISIBLE))
def test_scope_of_records_and_pages(client, world, username):
    from towerwatch.core.testing.world import PASSWORD

    records = {
        key: actions.start_record(acting_user=world.users["detachment"], building=b, kind="patrol")
        for key, b in world.buildings.items()
    }
    cps = {
        key: actions.add_checkpoint(acting_user=world.users["detachment"], building=b, name="门厅")
        for key, b in world.buildings.items()
    }
    assert client.login(username=username, password=PASSWORD)
    user = User.objects.get(username=username)
    visible = EXPECTED_VISIBLE[username]
    seen = InspectionRecord.objects.visible_to(user)
    assert {k for k, r in records.items() if seen.filter(pk=r.pk).exists()} == visible
    for key, building in world.buildings.items():
        expected = 200 if key in visible else 404
        assert client.get(f"/inspections/building/{building.pk}/").status_code == expected
        assert client.get(f"/inspections/building/{building.pk}/tab/").status_code == expected
        assert client.get(records[key].get_absolute_url()).status_code == expected
        assert client.get(f"/inspections/building/{building.pk}/checkpoints.pdf").status_code == (
            expected
        )
        if key not in visible:
            assert client.get(cps[key].get_absolute_url()).status_code == 404
            assert (
                client.post(f"/inspections/building/{building.pk}/start/", {"kind": "patrol"})
            ).status_code == 404
            with pytest.raises(Http404):
                actions.start_record(acting_user=user, building=building, kind="patrol")


def test_viewers_may_look_but_not_record(world):
    with pytest.raises(ValidationError):
        actions.start_record(
            acting_user=world.users["leadership"], building=world.buildings["res_a1"], kind="patrol"
        )
    grid = actions.start_record(
        acting_user=world.users["grid_a2"], building=world.buildings["school_a2"], kind="grid_walk"
    )
    assert grid.template.key == "grid_walk.any"


def test_checkpoint_sheet_is_a_pdf_with_one_code_per_checkpoint(login, world):
    building = world.buildings["res_a1"]
    for name in ("一楼大堂", "消防控制室", "水泵房"):
        actions.add_checkpoint(acting_user=world.users["property"], building=building, name=name)
    response = login("property").get(f"/inspections/building/{building.pk}/checkpoints.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    page = login("property").get(f"/inspections/building/{building.pk}/checkpoints/")
    assert page.content.decode().count("/inspections/cp/") == 3


def test_public_qr_page_offers_staff_a_start(client, login, world):
    b = world.buildings["res_a1"]
    assert "tw-start-patrol" not in client.get(b.public_url).content.decode()
    staff = login("property")
    assert "tw-start-patrol" in staff.get(b.public_url).content.decode()
    response = staff.get(f"/inspections/b/{b.public_token}/")
    assert response["Location"] == f"/inspections/building/{b.pk}/"
    assert login("town_b").get(f"/inspections/b/{b.public_token}/").status_code == 404


def test_checkpoints_are_added_by_editors_only(login, world):
    building = world.buildings["res_a1"]
    url = f"/inspections/building/{building.pk}/checkpoints/"
    assert login("leadership").post(url, {"name": "大堂"}).status_code == 403
    assert login("town_b").post(url, {"name": "大堂"}).status_code == 404
    response = login("property").post(url, {"name": "大堂", "location": "一楼"})
    assert response.status_code == 302
    assert building.checkpoints.get().name == "大堂"


@pytest.mark.parametrize(
    ("username", "kinds"),
    [
        ("detachment", {"patrol", "inspection", "supervision", "utility_check", "full_test"}),
        ("property", {"patrol", "inspection", "full_test", "assessment", "drill"}),
        ("town_a", {"patrol", "grid_walk"}),
        ("grid_a2", {"grid_walk"}),
        ("leadership", set()),
    ],
)
def test_who_may_record_which_kind_of_work(world, username, kinds):
    from towerwatch.inspections.choices import WorkKind

    allowed = {k for k, _label in actions.startable_kinds(world.users[username])}
    assert kinds <= allowed
    if username == "property":
        assert "supervision" not in allowed and "grid_walk" not in allowed
    if username == "grid_a2":
        assert allowed == {"grid_walk"}
    building = world.buildings["school_a2" if username == "grid_a2" else "res_a1"]
    for kind in set(WorkKind.values) - allowed:
        with pytest.raises(ValidationError):
            actions.start_record(acting_user=world.users[username], building=building, kind=kind)
