"""A UITD's registered protocol profile decides how its frames are read, over real sockets.

BCD time labels and big-endian status words are the device's profile (applied by the store);
ASCII-hex framing is recognised per connection by the server. A profile changed on the device
page applies from the next batch. A batch that opens or closes a case wakes this process's
console stream at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from towerwatch.monitoring import ingest, stream
from towerwatch.monitoring.gb26875 import Adu, Profile, encode_frame
from towerwatch.monitoring.gb26875.adu import ComponentStatus, adu_frame
from towerwatch.monitoring.gb26875.frame import CHINA_TIME, Command, Frame, FrameReader, TimeLabel
from towerwatch.monitoring.gb26875.server import (
    GB26875Server,
    ServerConfig,
    is_fire_alarm,
    may_be_fire_alarm,
)
from towerwatch.monitoring.ingest import Incoming, store_frames
from towerwatch.monitoring.models import AlarmCase, Device, Event, ReceivedFrame

pytestmark = pytest.mark.django_db(transaction=True)

UITD = bytes.fromhex("0a0b0c0d0e01")
CENTRE = bytes(6)
# Every byte a valid BCD digit pair: read as binary, the same six bytes name 2038-05-06.
AT = datetime(2026, 5, 6, 7, 8, 9, tzinfo=CHINA_TIME)
AS_BINARY = datetime(2038, 5, 6, 7, 8, 9, tzinfo=CHINA_TIME)
STANDARD = Profile()
BCD = Profile(bcd_time=True)
BIG_ENDIAN = Profile(big_endian_status=True)
HEX = Profile(ascii_hex=True)


@contextlib.contextmanager
def running(config: ServerConfig) -> Iterator[GB26875Server]:
    """The server on an ephemeral port, in its own event loop thread."""
    loop = asyncio.new_event_loop()
    srv = GB26875Server(store_frames, Incoming, config)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(srv.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(5)
    try:
        yield srv
    finally:
        asyncio.run_coroutine_threadsafe(srv.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture
def server() -> Iterator[GB26875Server]:
    with running(ServerConfig(port=0, idle_timeout=5)) as srv:
        yield srv


def status_frame(
    serial: int,
    status: int,
    profile: Profile = STANDARD,
    *,
    point: str = "03001100",
    at: datetime = AT,
) -> bytes:
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=40,
        component_address=bytes.fromhex(point),
        status=status,
        description="三楼烟感",
        at=TimeLabel.from_datetime(at),
    )
    frame = adu_frame(
        Adu(type=2, objects=(obj,)),
        serial=serial,
        source=UITD,
        destination=CENTRE,
        sent_at=at,
        profile=profile,
    )
    return encode_frame(frame, profile=profile)


def answer(sock: socket.socket, profile: Profile = STANDARD) -> Frame:
    reader = FrameReader(profile)
    while True:
        chunk = sock.recv(4096)
        assert chunk, "connection closed before an answer"
        events = reader.feed(chunk)
        if events:
            assert len(events) == 1 and isinstance(events[0], Frame), events
            return events[0]


def send(srv: GB26875Server, data: bytes, profile: Profile = STANDARD) -> Frame:
    with socket.create_connection(srv.address, timeout=5) as sock:
        sock.sendall(data)
        return answer(sock, profile)


def register(profile: str) -> Device:
    return Device.objects.create(kind="uitd", address=UITD.hex(), profile=profile)


def test_bcd_time_labels_of_a_bcd_time_device_give_the_right_times(
    server: GB26875Server,
) -> None:
    register("bcd_time")
    data = status_frame(1, 0x0002, BCD)
    assert data[6:12] == bytes.fromhex("090807060526")  # the frame's own label, in BCD
    reply = send(server, data)
    assert (reply.command, reply.serial) == (Command.CONFIRM, 1)
    event = Event.objects.get()
    assert (event.kind, event.at) == ("fire_alarm", AT)
    frame = ReceivedFrame.objects.get()
    assert frame.sent_at == AT
    assert frame.described["sent_at"] == AT.isoformat()
    assert frame.described["adu"]["objects"][0]["at"] == AT.isoformat()
    assert AlarmCase.objects.get().opened_at == AT


def test_a_standard_device_reads_the_same_bytes_as_binary(server: GB26875Server) -> None:
    register("standard")
    send(server, status_frame(1, 0x0002, BCD))
    assert Event.objects.get().at == AS_BINARY
    assert ReceivedFrame.objects.get().described["sent_at"] == AS_BINARY.isoformat()


def test_a_big_endian_device_s_fire_alarm_opens_a_case_without_waiting_for_company() -> None:
    register("big_endian_status")
    data = status_frame(1, 0x0002, BIG_ENDIAN)
    assert data[27 + 2 + 7 : 27 + 2 + 9] == b"\x00\x02"  # high byte first
    # A batch waits up to 5 s for company, except when it holds a fire alarm.
    with running(ServerConfig(port=0, idle_timeout=10, batch_interval=5)) as srv:
        started = time.monotonic()
        assert send(srv, data).command == Command.CONFIRM
        assert time.monotonic() - started < 2.5
        case = AlarmCase.objects.get()
        assert (case.kind, case.state, case.component_address) == ("fire_alarm", "open", "03001100")
        assert ReceivedFrame.objects.get().described["adu"]["objects"][0]["flags"] == ["fire_alarm"]
        # a restore, also high byte first, is read as one (a fire alarm case stays open)
        srv.config.batch_interval = 0.01
        send(srv, status_frame(2, 0x0001, BIG_ENDIAN))
        assert list(Event.objects.order_by("id").values_list("kind", flat=True)) == [
            "fire_alarm",
            "restore",
        ]


def test_the_same_bytes_from_a_standard_device_are_no_fire_alarm(server: GB26875Server) -> None:
    register("standard")
    send(server, status_frame(1, 0x0002, BIG_ENDIAN))  # 02 00 read low byte first: 0x0200
    assert not AlarmCase.objects.exists()
    assert list(Event.objects.values_list("kind", flat=True)) == ["restore"]


def test_a_profile_changed_on_the_device_page_applies_to_the_next_batch(
    server: GB26875Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = register("standard")
    send(server, status_frame(1, 0x0004, BCD))  # a fault
    assert Event.objects.get().at == AS_BINARY
    device.profile = "bcd_time"
    device.save()  # what the device page's save does: the cached entry is dropped
    send(server, status_frame(2, 0x0004, BCD, point="04001100"))
    assert Event.objects.get(component_address="04001100").at == AT
    # Changed in another process (no signal here): read again once the entry is old enough.
    monkeypatch.setattr(ingest, "DEVICE_CACHE_TTL", 0.05)
    Device.objects.filter(pk=device.pk).update(profile="standard")
    time.sleep(0.1)
    send(server, status_frame(3, 0x0004, BCD, point="05001100"))
    assert Event.objects.get(component_address="05001100").at == AS_BINARY


def test_ascii_hex_framing_is_recognised_per_connection_and_answered_in_kind(
    server: GB26875Server,
) -> None:
    register("bcd_time")
    text = status_frame(9, 0x0002, Profile(ascii_hex=True, bcd_time=True))
    assert text.startswith(b"4040")
    with socket.create_connection(server.address, timeout=5) as sock:
        # split inside the first four characters, CR/LF between frames
        sock.sendall(text[:3])
        time.sleep(0.05)
        sock.sendall(text[3:] + b"\r\n")
        raw_answer = sock.recv(4096)
        assert raw_answer.startswith(b"4040") and raw_answer == raw_answer.upper()
        reply = answer_from(raw_answer, HEX)
        assert (reply.command, reply.serial, reply.destination) == (Command.CONFIRM, 9, UITD)
        # a second frame on the same connection
        sock.sendall(status_frame(10, 0x0001, Profile(ascii_hex=True, bcd_time=True)))
        assert answer(sock, HEX).serial == 10
    stored = ReceivedFrame.objects.order_by("serial").first()
    assert stored is not None and bytes(stored.raw) == text  # kept as sent
    assert list(Event.objects.order_by("id").values_list("kind", "at")) == [
        ("fire_alarm", AT),
        ("restore", AT),
    ]
    # a binary device on another connection at the same time is unaffected
    assert send(server, status_frame(11, 0x0002, BCD)).command == Command.CONFIRM


def answer_from(data: bytes, profile: Profile) -> Frame:
    events = FrameReader(profile).feed(data)
    assert len(events) == 1 and isinstance(events[0], Frame), events
    return events[0]


def test_centre_initiated_frames_use_the_connection_s_framing(server: GB26875Server) -> None:
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(status_frame(1, 0x0001, HEX))
        answer(sock, HEX)
        sent = server.send(UITD.hex(), lambda serial: b"@@" + bytes([serial]))
        assert sent is not None
        assert sock.recv(64) == (b"@@" + bytes([sent])).hex().upper().encode()


@pytest.mark.parametrize("status", [0x0002, 0x0200, 0x0202, 0x0001, 0x0100, 0x0004])
def test_the_server_flushes_a_fire_alarm_in_either_byte_order(status: int) -> None:
    data = status_frame(1, status)[27:-3]
    assert may_be_fire_alarm(data) == (
        is_fire_alarm(data, STANDARD) or is_fire_alarm(data, BIG_ENDIAN)
    )
    assert may_be_fire_alarm(data) == bool(status & 0x0202)


def test_a_batch_that_opens_a_case_wakes_the_console_stream_at_once(
    server: GB26875Server, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    calls: list[int] = []
    real = stream.publish

    def counting(flip_id: int | None = None) -> None:
        calls.append(1)
        real(flip_id)

    monkeypatch.setattr(stream, "publish", counting)
    settings.TOWERWATCH_STREAM_POLL_MS = 30_000  # without the wake, a console waits 30 s

    async def scenario() -> float:
        hub = stream.hub()
        queue = await hub.subscribe()
        loop = asyncio.get_running_loop()
        try:
            await asyncio.sleep(0.1)  # the watcher is now waiting on its (30 s) poll
            started = time.monotonic()
            await loop.run_in_executor(None, send, server, status_frame(1, 0x0002))
            await asyncio.wait_for(queue.get(), 5)
            return time.monotonic() - started
        finally:
            hub.unsubscribe(queue)
            if hub.task is not None:
                hub.task.cancel()
            await sync_to_async(connections.close_all)()

    register("standard")
    with ThreadPoolExecutor(1) as pool:
        latency = pool.submit(asyncio.run, scenario()).result(20)
    assert latency < 3
    assert calls == [1]
    # a repeat only folds into the open case (no timeline row): no wake-up
    send(server, status_frame(2, 0x0002))
    assert calls == [1] and AlarmCase.objects.get().event_count == 2
    # a restore that closes a fault case writes a flip: one more
    send(server, status_frame(3, 0x0004, point="09000000"))
    send(server, status_frame(4, 0x0001, point="09000000"))
    assert len(calls) == 3
