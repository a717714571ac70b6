"""The fast ingest path keeps the guarantees: byte-level shortcuts agree with the codec, cases are
evaluated in arrival order within a batch, and the device cache never outlives a change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from towerwatch.monitoring.gb26875 import (
    Adu,
    ComponentStatus,
    DeviceStatus,
    Frame,
    Profile,
    SystemStatus,
    TimeLabel,
    confirm,
    decode_adu,
    decode_frame,
    deny,
    encode_adu,
    encode_frame,
)
from towerwatch.monitoring.gb26875.adu import adu_frame
from towerwatch.monitoring.gb26875.frame import CHINA_TIME, Command, FrameReader, GarbageError
from towerwatch.monitoring.gb26875.server import GB26875Server, ServerConfig, is_fire_alarm
from towerwatch.monitoring.ingest import Incoming, store_frames
from towerwatch.monitoring.models import AlarmCase, Device, Event, ReceivedFrame
from towerwatch.monitoring.simulator import device_address, reference_frame, traffic_frame

AT = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA_TIME)
LABEL = TimeLabel.from_datetime(AT)
UITD = bytes.fromhex("0c0c0c0c0c0c")
PROFILES = [Profile(), Profile(big_endian_status=True), Profile(bcd_time=True)]


@given(
    kind=st.sampled_from([1, 2, 21]),
    statuses=st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=5),
    profile=st.sampled_from(PROFILES),
)
def test_fire_alarm_read_from_the_bytes_agrees_with_the_decoded_flags(
    kind: int, statuses: list[int], profile: Profile
) -> None:
    if kind == 1:
        objects = tuple(SystemStatus(1, 1, s, LABEL) for s in statuses)
    elif kind == 2:
        objects = tuple(
            ComponentStatus(1, 1, 40, b"\x01\x02\x03\x04", s, "烟感", LABEL) for s in statuses
        )
    else:
        objects = (DeviceStatus(statuses[0] & 0xFF, LABEL),)
    data = encode_adu(Adu(kind, objects), profile=profile)
    decoded = decode_adu(data, profile=profile)
    assert is_fire_alarm(data, profile) == any(
        "fire_alarm" in o.flags
        for o in decoded.objects  # type: ignore[union-attr]
    )


def test_fire_alarm_bytes_of_other_types_and_malformed_adus() -> None:
    assert not is_fire_alarm(b"\x02")  # too short
    assert not is_fire_alarm(b"\x02\x01\x00")  # wrong length for its count
    assert not is_fire_alarm(b"\x18\x01" + bytes(8))  # type 24: an operation, not a status


@pytest.mark.parametrize("profile", [*PROFILES, Profile(ascii_hex=True)])
def test_answers_packed_by_the_server_equal_the_codec_s(profile: Profile) -> None:
    server = GB26875Server(store_frames, Incoming, ServerConfig(profile=profile))
    frame = decode_frame(reference_frame(UITD, 77, 5, 0x0003, AT, 40))
    now = AT.timestamp()
    centre_time = datetime.fromtimestamp(now, UTC)
    assert server._answer(frame, Command.CONFIRM, now) == encode_frame(
        confirm(frame, sent_at=centre_time, profile=profile), profile=profile
    )
    assert server._answer(frame, Command.DENY, now) == encode_frame(
        deny(frame, sent_at=centre_time, profile=profile), profile=profile
    )


def test_simulated_traffic_is_valid_gb26875() -> None:
    import random

    rng = random.Random(4)
    for serial in range(1, 300):
        data, alarm = traffic_frame(rng, device_address(9), serial, 0.2)
        frame = decode_frame(data)
        assert encode_frame(frame) == data
        adu = decode_adu(frame.adu)
        if adu is not None:
            assert alarm == ("fire_alarm" in adu.objects[0].flags)  # type: ignore[union-attr]


def _incoming(serial: int, status: int, point: str = "05000000") -> Incoming:
    obj = ComponentStatus(1, 1, 40, bytes.fromhex(point), status, "五楼", LABEL)
    raw = encode_frame(
        adu_frame(
            Adu(type=2, objects=(obj,)),
            serial=serial,
            source=UITD,
            destination=bytes(6),
            sent_at=AT,
        )
    )
    return Incoming(frame=decode_frame(raw), raw=raw, received_at=AT)


def _upload(serial: int, adu: bytes = b"") -> bytes:
    """A frame UITD sends (an empty ADU: a heartbeat)."""
    return encode_frame(
        Frame(
            serial=serial,
            command=Command.SEND,
            source=UITD,
            destination=bytes(6),
            sent_at=LABEL,
            adu=adu,
        )
    )


@pytest.mark.django_db
def test_cases_follow_arrival_order_within_one_batch() -> None:
    fault, restore = 0x0005, 0x0001
    # fault then restore: the case opens and closes in the same batch
    store_frames([_incoming(1, fault), _incoming(2, restore)])
    case = AlarmCase.objects.get()
    assert case.state == "resolved" and list(case.flips.values_list("old_state", "new_state")) == [
        ("", "open"),
        ("open", "resolved"),
    ]
    # restore then fault: one case stays open
    store_frames([_incoming(3, restore), _incoming(4, fault)])
    assert AlarmCase.objects.filter(state="open").count() == 1
    # repeats fold into the open case, also across batches
    store_frames([_incoming(5, fault), _incoming(6, fault)])
    store_frames([_incoming(7, fault)])
    assert AlarmCase.objects.get(state="open").event_count == 4
    # a fire alarm is never closed by a restore
    store_frames([_incoming(8, 0x0002), _incoming(9, restore)])
    assert AlarmCase.objects.get(kind="fire_alarm").state == "open"


@pytest.mark.django_db
def test_the_device_cache_follows_binding_and_deletion(world) -> None:  # type: ignore[no-untyped-def]
    store_frames([_incoming(1, 0x0002)])
    device = Device.objects.get(address=UITD.hex())
    assert device.building is None
    # bound in another process: no signal reaches this one, the unbound entry is read again
    Device.objects.filter(pk=device.pk).update(building=world.buildings["res_a1"])
    store_frames([_incoming(2, 0x0002, point="06000000")])
    assert Event.objects.get(component_address="06000000").building == world.buildings["res_a1"]
    # deleted in another process (no signal reaches this one's cache)
    AlarmCase.objects.all().delete()
    Event.objects.all().delete()
    ReceivedFrame.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitoring_device WHERE id = %s", [device.pk])
    # a heartbeat-only batch: the per-batch device hold finds the cached device gone
    heartbeat = _upload(3)
    store_frames([Incoming(frame=decode_frame(heartbeat), raw=heartbeat, received_at=AT)])
    again = Device.objects.get(address=UITD.hex())
    assert again.pk != device.pk and again.building is None  # back in the unregistered queue


@pytest.mark.django_db
def test_a_device_bound_to_another_building_meanwhile_is_read_again(world) -> None:  # type: ignore[no-untyped-def]
    """Within the cache's lifetime, a device moved to another building by another process is
    caught by the batch's device hold: its events carry the new building."""
    first, second = world.buildings["res_a1"], world.buildings["res_b1"]
    device = Device.objects.create(kind="uitd", address=UITD.hex(), building=first)
    store_frames([_incoming(1, 0x0002)])
    assert Event.objects.get().building == first
    Device.objects.filter(pk=device.pk).update(building=second)  # no signal reaches the cache
    store_frames([_incoming(2, 0x0002, point="06000000")])
    assert Event.objects.get(component_address="06000000").building == second


@pytest.mark.django_db(transaction=True)  # the cache learns what was written once committed
def test_last_seen_is_written_at_most_every_few_seconds_per_device() -> None:
    from towerwatch.monitoring.ingest import LAST_SEEN_RESOLUTION

    def heartbeat(serial: int, at: datetime) -> Incoming:
        raw = _upload(serial)
        return Incoming(frame=decode_frame(raw), raw=raw, received_at=at)

    store_frames([heartbeat(1, AT)])
    device = Device.objects.get(address=UITD.hex())
    assert device.last_seen == AT
    store_frames([heartbeat(2, AT + LABEL_STEP)])
    device.refresh_from_db()
    assert device.last_seen == AT  # a second later: not rewritten
    later = AT + LAST_SEEN_RESOLUTION
    store_frames([heartbeat(3, later)])
    device.refresh_from_db()
    assert device.last_seen == later


LABEL_STEP = timedelta(seconds=1)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    frames=st.lists(
        st.tuples(
            st.integers(0, 0xFFFF),
            st.sampled_from([b"", bytes.fromhex("0201") + bytes(46), b"\x15\x01\x00\x00"]),
            st.sampled_from(["ok", "bad checksum", "bad end", "garbage before", "oversized"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_whole_frames_read_in_place_equal_the_general_reader(
    frames: list[tuple[int, bytes, str]],
) -> None:
    """A chunk that begins with whole frames is read in place; the same bytes fed one at a time
    go through the general reader: both give the same frames and the same errors."""
    stream = b""
    for serial, adu, damage in frames:
        wire = bytearray(_upload(serial, adu))
        if damage == "bad checksum":
            wire[-3] ^= 0xFF
        elif damage == "bad end":
            wire[-1] = 0x00
        elif damage == "garbage before":
            wire[:0] = b"\x01\x02"
        elif damage == "oversized":
            wire[24:26] = (2000).to_bytes(2, "little")
        stream += bytes(wire)

    def described(events: list[object]) -> list[object]:
        # Skipped garbage is reported per chunk: runs of it count as one, by their total.
        out: list[object] = []
        for e in events:
            if isinstance(e, GarbageError):
                if out and isinstance(out[-1], int):
                    out[-1] += e.skipped
                else:
                    out.append(e.skipped)
            else:
                out.append((e[0], e[1]) if isinstance(e, tuple) else (type(e).__name__, str(e)))
        return out

    whole = FrameReader().feed_raw(stream)
    reader, byte_by_byte = FrameReader(), []
    for i in range(len(stream)):
        byte_by_byte += reader.feed_raw(stream[i : i + 1])
    assert described(whole) == described(byte_by_byte)


def test_stored_frames_are_described_from_their_raw_bytes() -> None:
    from towerwatch.monitoring.ingest import describe_frame

    raw = reference_frame(UITD, 7, 3, 0x0002, AT, 40)
    binary = describe_frame(raw, "standard")
    assert binary["serial"] == 7 and binary["adu"]["objects"][0]["flags"] == ["fire_alarm"]
    # an ASCII-hex device's frame is stored as it sent it, and described the same
    assert describe_frame(raw.hex().upper().encode("ascii"), "standard") == binary
    # bytes that are no frame say so instead of failing the page that shows them
    assert "error" in describe_frame(b"@@\x01\x02", "standard")
    assert "error" in describe_frame(b"not hex at all", "standard")
