"""Retention: old frames, events and dead letters go in batches; what a case needs stays."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.monitoring.gb26875 import Adu, decode_frame, encode_frame
from towerwatch.monitoring.gb26875.adu import ComponentStatus, adu_frame
from towerwatch.monitoring.gb26875.frame import CHINA_TIME, TimeLabel
from towerwatch.monitoring.ingest import Incoming, store_frames
from towerwatch.monitoring.models import AlarmCase, DeadLetter, Device, Event, ReceivedFrame
from towerwatch.monitoring.retention import check_setting, purge_old_records
from towerwatch.rules.models import Rule

pytestmark = pytest.mark.django_db
ADDRESS = "aabbccddeeff"
AT = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA_TIME)


def send(serial: int, point: str, status: int) -> None:
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=40,
        component_address=bytes.fromhex(point),
        status=status,
        description="测试点",
        at=TimeLabel.from_datetime(AT),
    )
    raw = encode_frame(
        adu_frame(
            Adu(type=2, objects=(obj,)),
            serial=serial,
            source=bytes.fromhex(ADDRESS),
            destination=bytes(6),
            sent_at=AT,
        )
    )
    store_frames([Incoming(frame=decode_frame(raw), raw=raw, received_at=AT)])


def serials() -> set[int]:
    return set(ReceivedFrame.objects.values_list("serial", flat=True))


def test_old_records_go_in_batches_and_what_cases_refer_to_stays(world: World) -> None:
    Device.objects.create(address=ADDRESS, building=world.buildings["res_a1"])
    send(1, "05000000", 0x0002)  # fire alarm: opens a case (its first event)
    send(2, "05000000", 0x0002)  # repeat, folded into the open case
    send(3, "06000000", 0x0001)  # normal signals, no case
    send(4, "06000000", 0x0001)
    send(5, "07000000", 0x0004)  # fault: a case…
    send(6, "07000000", 0x0001)  # …closed by the restore
    assert AlarmCase.objects.get(kind="fault").state == "resolved"
    now = timezone.now()
    old = now - timedelta(days=500)
    ReceivedFrame.objects.update(received_at=old)
    Event.objects.update(at=old)
    AlarmCase.objects.update(opened_at=old - timedelta(seconds=1))
    send(7, "06000000", 0x0001)  # received now (AT is recent): kept
    ReceivedFrame.objects.filter(serial=7).update(received_at=now)
    DeadLetter.objects.create(received_at=old, source="mqtt", payload=b"x", reason="bad json")
    DeadLetter.objects.create(received_at=now, source="mqtt", payload=b"y", reason="bad json")

    done = purge_old_records(now, batch_size=1)
    assert done["frames"] == 3 and done["dead_letters"] == 1
    assert serials() == {1, 2, 5, 7}
    assert not Event.objects.filter(frame__serial__in=[3, 4, 6]).exists()
    assert DeadLetter.objects.count() == 1
    assert purge_old_records(now) == {"frames": 0, "events": 0, "dead_letters": 0}
    # once the fire alarm is decided, its repeat may go; the first event stays with the case
    AlarmCase.objects.filter(kind="fire_alarm").update(state="false_alarm")
    assert purge_old_records(now)["frames"] == 1
    assert serials() == {1, 5, 7}


def test_retention_below_a_year_is_refused(settings) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"GB 50440-2007 §3\.0\.2-5"):
        check_setting(300, minimum=365)
    assert check_setting(365, minimum=365) == 365
    settings.TOWERWATCH_RETENTION_DAYS = 364
    with pytest.raises(SystemCheckError, match=r"towerwatch\.E003"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured):
        purge_old_records()


def test_a_locally_raised_minimum_is_honoured(settings) -> None:
    settings.TOWERWATCH_RETENTION_DAYS = 400
    assert check_setting() == 400
    Rule.objects.filter(key="monitoring.record_retention_days_min").update(value=730)
    with pytest.raises(ImproperlyConfigured, match="730"):
        check_setting()
