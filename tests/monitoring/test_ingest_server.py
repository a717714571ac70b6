"""The GB/T 26875.3 server over real TCP sockets, storing into the real database."""

from __future__ import annotations

import asyncio
import socket
import threading
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from towerwatch.monitoring.gb26875 import Adu, encode_frame
from towerwatch.monitoring.gb26875.adu import ComponentStatus, adu_frame
from towerwatch.monitoring.gb26875.frame import CHINA_TIME, Command, Frame, FrameReader, TimeLabel
from towerwatch.monitoring.gb26875.server import GB26875Server, ServerConfig
from towerwatch.monitoring.ingest import Incoming, store_frames
from towerwatch.monitoring.models import Device, Event, ReceivedFrame

pytestmark = pytest.mark.django_db(transaction=True)

UITD = bytes.fromhex("0102030405a6")
CENTRE = bytes(6)
AT = datetime(2026, 11, 29, 10, 0, 0, tzinfo=CHINA_TIME)


@pytest.fixture
def server() -> Iterator[GB26875Server]:
    """The server on an ephemeral port, in its own event loop thread."""
    loop = asyncio.new_event_loop()
    srv = GB26875Server(store_frames, Incoming, ServerConfig(port=0, idle_timeout=5))
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(srv.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(5)
    yield srv
    asyncio.run_coroutine_threadsafe(srv.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def connect(srv: GB26875Server) -> socket.socket:
    return socket.create_connection(srv.address, timeout=5)


def alarm_frame(
    serial: int, *, status: int = 0x0002, address: str = "03001100", text: str = "三楼烟感"
) -> bytes:
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=40,
        component_address=bytes.fromhex(address),
        status=status,
        description=text,
        at=TimeLabel.from_datetime(AT),
    )
    return encode_frame(
        adu_frame(
            Adu(type=2, objects=(obj,)), serial=serial, source=UITD, destination=CENTRE, sent_at=AT
        )
    )


def read_frame(sock: socket.socket) -> Frame:
    """The next whole frame from the centre, whatever its length (cut by the length field)."""
    reader, ready = _streams.setdefault(sock, (FrameReader(), []))
    while not ready:
        chunk = sock.recv(4096)
        assert chunk, "connection closed before an answer"
        for event in reader.feed(chunk):
            assert isinstance(event, Frame), event
            ready.append(event)
    return ready.pop(0)


_streams: weakref.WeakKeyDictionary[socket.socket, tuple[FrameReader, list[Frame]]] = (
    weakref.WeakKeyDictionary()
)


def test_fire_alarm_from_an_unknown_device_is_stored_then_confirmed(server: GB26875Server) -> None:
    with connect(server) as sock:
        sock.sendall(alarm_frame(7))
        answer = read_frame(sock)
        # The confirm arrives only after the commit: the rows are there the moment it does.
        assert (answer.command, answer.serial, answer.destination) == (Command.CONFIRM, 7, UITD)
        device = Device.objects.get(address=UITD.hex())
        assert device.building is None and device.last_seen is not None  # the unregistered queue
        frame = ReceivedFrame.objects.get(device=device)
        assert (
            frame.serial == 7 and frame.described["adu"]["objects"][0]["description"] == "三楼烟感"
        )
        event = Event.objects.get(device=device)
        assert (event.kind, event.component_address, event.description) == (
            "fire_alarm",
            "03001100",
            "三楼烟感",
        )
        assert event.at == AT


def test_a_resent_frame_is_stored_once_and_confirmed_again(server: GB26875Server) -> None:
    with connect(server) as sock:
        for _ in range(3):
            sock.sendall(alarm_frame(8))
            assert read_frame(sock).command == Command.CONFIRM
    assert ReceivedFrame.objects.count() == 1 and Event.objects.count() == 1


def test_an_alarm_with_status_bit_0_clear_is_still_an_alarm_and_restore_follows(
    server: GB26875Server,
) -> None:
    with connect(server) as sock:
        sock.sendall(alarm_frame(1, status=0x0002))  # bit 0 (normal) clear, bit 1 fire alarm
        read_frame(sock)
        sock.sendall(alarm_frame(2, status=0x0001))  # back to normal
        read_frame(sock)
    assert list(Event.objects.order_by("id").values_list("kind", flat=True)) == [
        "fire_alarm",
        "restore",
    ]


def test_bad_checksum_is_denied_and_nothing_is_stored(server: GB26875Server) -> None:
    frame = bytearray(alarm_frame(9))
    frame[-3] ^= 0xFF  # the checksum byte
    with connect(server) as sock:
        sock.sendall(bytes(frame))
        answer = read_frame(sock)
        assert (answer.command, answer.serial) == (Command.DENY, 9)
        # the connection stays usable for the next, good frame
        sock.sendall(alarm_frame(10))
        assert read_frame(sock).command == Command.CONFIRM
    assert ReceivedFrame.objects.count() == 1


def test_unknown_command_is_denied(server: GB26875Server) -> None:
    frame = Frame(
        serial=11, command=42, source=UITD, destination=CENTRE, sent_at=TimeLabel.from_datetime(AT)
    )
    with connect(server) as sock:
        sock.sendall(encode_frame(frame))
        assert read_frame(sock).command == Command.DENY
    assert ReceivedFrame.objects.count() == 0


def test_oversized_length_and_garbage_close_the_connection_not_the_server(
    server: GB26875Server,
) -> None:
    header = bytearray(alarm_frame(12)[:27])
    header[24:26] = (5000).to_bytes(2, "little")
    with connect(server) as sock:
        sock.sendall(bytes(header))
        assert sock.recv(100) == b""  # closed
    with connect(server) as sock:
        sock.sendall(b"\x00garbage" * 1000)
        assert sock.recv(100) == b""
    with connect(server) as sock:  # still serving
        sock.sendall(alarm_frame(13))
        assert read_frame(sock).command == Command.CONFIRM


def test_heartbeat_refreshes_last_seen_only(server: GB26875Server) -> None:
    beat = Frame(
        serial=14,
        command=Command.SEND,
        source=UITD,
        destination=CENTRE,
        sent_at=TimeLabel.from_datetime(AT),
    )
    with connect(server) as sock:
        sock.sendall(encode_frame(beat))
        assert read_frame(sock).command == Command.CONFIRM
    assert Device.objects.get(address=UITD.hex()).last_seen is not None
    assert ReceivedFrame.objects.count() == 0 and Event.objects.count() == 0


def test_frames_split_across_packets_and_several_in_one_packet(server: GB26875Server) -> None:
    data = alarm_frame(20) + alarm_frame(21, address="04001100")
    with connect(server) as sock:
        for i in range(0, len(data), 7):
            sock.sendall(data[i : i + 7])
        assert {read_frame(sock).serial, read_frame(sock).serial} == {20, 21}
    assert ReceivedFrame.objects.count() == 2


def test_events_of_a_registered_device_carry_its_building(server: GB26875Server) -> None:
    from towerwatch.core.testing.world import build_world

    world = build_world()
    Device.objects.create(address=UITD.hex(), building=world.buildings["res_a1"])
    with connect(server) as sock:
        sock.sendall(alarm_frame(30))
        read_frame(sock)
    event = Event.objects.get()
    assert event.building == world.buildings["res_a1"]
    # and the town that owns the building sees it, the other town does not
    assert Event.objects.visible_to(world.users["town_a"]).count() == 1
    assert Event.objects.visible_to(world.users["town_b"]).count() == 0


def test_simulated_uitds_are_all_confirmed_and_stored(server: GB26875Server) -> None:
    from towerwatch.monitoring.simulator import simulate

    host, port = server.address
    # In a thread of its own: the browser tests' Playwright loop may be running in this one.
    run = simulate(host, port, devices=20, rate=20, seconds=1.5, alarm_share=0.2, seed=3)
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, run).result()
    summary = result.summary()
    assert summary["sent"] == summary["confirmed"] > 20 and summary["denied"] == 0
    assert Device.objects.count() == 20
    # every confirmed frame that is not a heartbeat is stored, exactly once
    assert result.heartbeats > 0
    assert ReceivedFrame.objects.count() == result.confirmed - result.heartbeats
    assert Event.objects.filter(kind="fire_alarm").count() == result.fire_alarms


def test_duty_check_is_sent_over_the_live_connection_and_the_answer_recorded(
    server: GB26875Server,
) -> None:
    from towerwatch.monitoring.duty import send_duty_checks
    from towerwatch.monitoring.gb26875.adu import DeviceOperation
    from towerwatch.monitoring.models import DutyCheck

    loop = server._writer_task.get_loop()  # type: ignore[union-attr]
    with connect(server) as sock:
        heartbeat = Frame(
            serial=1,
            command=Command.SEND,
            source=UITD,
            destination=CENTRE,
            sent_at=TimeLabel.from_datetime(AT),
        )
        sock.sendall(encode_frame(heartbeat))
        read_frame(sock)  # confirmed: the centre now knows this connection
        device = Device.objects.get(address=UITD.hex())
        check = DutyCheck.objects.create(device=device, timeout_minutes=5)
        assert asyncio.run_coroutine_threadsafe(send_duty_checks(server), loop).result(5) == 1
        command = read_frame(sock)
        assert command.destination == UITD and command.adu[0] == 91
        check.refresh_from_db()
        assert check.state == "sent" and check.serial == command.serial
        # the person on duty presses 查岗应答: a type 24 upload with bit 5 set
        operation = DeviceOperation(operation=1 << 5, operator=1, at=TimeLabel.from_datetime(AT))
        sock.sendall(
            encode_frame(
                adu_frame(
                    Adu(type=24, objects=(operation,)),
                    serial=2,
                    source=UITD,
                    destination=CENTRE,
                    sent_at=AT,
                )
            )
        )
        assert read_frame(sock).command == Command.CONFIRM
    check.refresh_from_db()
    assert check.state == "answered" and check.answered_at is not None


def test_duty_check_to_a_disconnected_device_is_unreachable(server: GB26875Server) -> None:
    from towerwatch.monitoring.duty import send_duty_checks
    from towerwatch.monitoring.models import DutyCheck

    loop = server._writer_task.get_loop()  # type: ignore[union-attr]
    device = Device.objects.create(address="0a0a0a0a0a0a")
    check = DutyCheck.objects.create(device=device)
    assert asyncio.run_coroutine_threadsafe(send_duty_checks(server), loop).result(5) == 0
    check.refresh_from_db()
    assert check.state == "unreachable"


def test_simulated_uitds_resend_what_the_centre_does_not_confirm() -> None:
    """A centre that ignores every third frame: the device resends it after its timeout
    (GB/T 26875.3 §6.5) and counts it, and every frame is confirmed in the end."""
    from towerwatch.monitoring.gb26875 import confirm, encode_frame
    from towerwatch.monitoring.gb26875.frame import FrameReader
    from towerwatch.monitoring.simulator import SimulationResult, simulate

    async def run() -> SimulationResult:
        seen = 0

        async def centre(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal seen
            frames = FrameReader()
            while data := await reader.read(4096):
                for frame in frames.feed(data):
                    seen += 1
                    if seen % 3:  # every third frame gets no answer
                        writer.write(encode_frame(confirm(frame, sent_at=frame.sent_at)))

        listener = await asyncio.start_server(centre, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        async with listener:
            return await simulate(
                "127.0.0.1", port, devices=1, rate=10, seconds=1.5, timeout=0.2, seed=5
            )

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, run()).result()
    assert result.resent > 0
    assert result.sent == result.confirmed + result.resent  # each unanswered frame went again
