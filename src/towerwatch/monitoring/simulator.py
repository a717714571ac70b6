"""`towerwatch simulate`: UITDs that connect to a running instance and play realistic traffic.

Each simulated device keeps one TCP connection and works stop-and-wait, as UITDs do
(GB/T 26875.3 §6.5): it sends a frame and waits for the 确认 before the next one, resending
after the timeout. Traffic is mostly heartbeats, some faults and restores, a small share of
fire alarms; `burst` makes a share of devices send back-to-back frames (an alarm storm).

A device sends on its own timetable (about `rate` frames a second, jittered): when a confirm
comes late, the next frame goes at once, so the offered load stays the same whatever the
centre's latency (unless a confirm takes longer than the interval). Devices are asyncio
protocols and frames are packed directly, so one simulator process can offer tens of
thousands of frames a second.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import struct
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from .gb26875 import Adu, encode_frame
from .gb26875.adu import ComponentStatus, adu_frame
from .gb26875.frame import (
    _CONTROL_UNIT,
    CHINA_TIME,
    END,
    START,
    Command,
    Frame,
    FrameReader,
    TimeLabel,
)

CENTRE = bytes(6)
HEARTBEAT_LENGTH = 30  # a frame with an empty ADU
_COMPONENT_OBJECT = struct.Struct("<BBB4sH31s6s")  # one type 2 object (Table 3)


@dataclass
class SimulationResult:
    sent: int = 0
    confirmed: int = 0
    denied: int = 0
    resent: int = 0
    fire_alarms: int = 0
    heartbeats: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    alarm_latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    #: Latencies count from this moment (perf_counter): the warm-up (every device connecting
    #: and sending its first frame at once) is counted in `confirmed`, not in the percentiles.
    record_from: float = 0.0
    failures: list[BaseException] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        def pct(values: list[float], q: float) -> float:
            if not values:
                return 0.0
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))], 2)

        return {
            "sent": self.sent,
            "confirmed": self.confirmed,
            "denied": self.denied,
            "resent": self.resent,
            "fire_alarms": self.fire_alarms,
            "confirmed_per_s": round(self.confirmed / self.seconds, 1) if self.seconds else 0.0,
            "confirm_p50_ms": round(statistics.median(self.latencies_ms), 2)
            if self.latencies_ms
            else 0.0,
            "confirm_p99_ms": pct(self.latencies_ms, 0.99),
            "alarm_confirm_p50_ms": round(statistics.median(self.alarm_latencies_ms), 2)
            if self.alarm_latencies_ms
            else 0.0,
            "alarm_confirm_p99_ms": pct(self.alarm_latencies_ms, 0.99),
        }


def device_address(n: int) -> bytes:
    """A stable 6-byte address for simulated device `n` (prefix 0x5E: "simulated")."""
    return bytes([0x5E]) + n.to_bytes(5, "big")


_DESCRIPTIONS: dict[int, bytes] = {}


def _description(point: int) -> bytes:
    text = _DESCRIPTIONS.get(point)
    if text is None:
        text = f"{point // 40 + 1}层 点位{point}".encode("gb18030").ljust(31, b"\0")
        _DESCRIPTIONS[point] = text
    return text


def _pack(serial: int, address: bytes, label: bytes, adu: bytes) -> bytes:
    body = _CONTROL_UNIT.pack(serial, 1, 0, label, address, CENTRE, len(adu), Command.SEND) + adu
    return START + body + bytes((sum(body) & 0xFF,)) + END


_now_label: tuple[int, bytes] = (-1, b"")


def _label_now() -> bytes:
    """The wire time label of this second (China time), built once a second."""
    global _now_label
    second = int(time.time())
    if _now_label[0] != second:
        label = TimeLabel.from_datetime(datetime.fromtimestamp(second, CHINA_TIME))
        _now_label = (second, bytes(label.fields()))
    return _now_label[1]


def traffic_frame(
    rng: random.Random, address: bytes, serial: int, alarm_share: float
) -> tuple[bytes, bool]:
    """One realistic frame: (bytes, is fire alarm). Same bytes as `encode_frame` would give."""
    label = _label_now()
    roll = rng.random()
    if roll < 0.6:  # heartbeat: empty upload
        return _pack(serial, address, label, b""), False
    alarm = roll > 1 - alarm_share
    status = 0x0003 if alarm else rng.choice([0x0005, 0x0001, 0x0009, 0x0101])
    point = rng.randrange(1, 400)
    component_type = rng.choice([21, 40, 41, 23])
    adu = b"\x02\x01" + _COMPONENT_OBJECT.pack(
        1, 1, component_type, point.to_bytes(4, "little"), status, _description(point), label
    )
    return _pack(serial, address, label, adu), alarm


def reference_frame(
    address: bytes, serial: int, point: int, status: int, at: datetime, component_type: int
) -> bytes:
    """The same kind of frame built through the codec (tests compare the two)."""
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=component_type,
        component_address=point.to_bytes(4, "little"),
        status=status,
        description=f"{point // 40 + 1}层 点位{point}",
        at=TimeLabel.from_datetime(at),
    )
    frame = adu_frame(
        Adu(type=2, objects=(obj,)), serial=serial, source=address, destination=CENTRE, sent_at=at
    )
    return encode_frame(frame)


class _Device(asyncio.Protocol):
    """One UITD: stop-and-wait, its own timetable, up to 3 resends per frame (§6.5)."""

    def __init__(
        self,
        n: int,
        *,
        rate: float,
        deadline: float,
        alarm_share: float,
        burst: bool,
        timeout: float,
        result: SimulationResult,
        seed: int,
        done: asyncio.Future[None],
    ) -> None:
        self.rng = random.Random(seed * 100_003 + n)
        self.address = device_address(n)
        self.interval = 0.0 if burst else 1.0 / rate
        self.deadline, self.alarm_share, self.timeout = deadline, alarm_share, timeout
        self.result, self.done = result, done
        self.reader = FrameReader()
        self.serial = 0
        self.data = b""
        self.alarm = False
        self.attempt = 0
        self.started = 0.0
        self.next_at = 0.0
        self.waiting = False
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP transport (uvloop's is not an asyncio.Transport subclass, but behaves as one).
        self.transport = cast(asyncio.Transport, transport)
        first = self.rng.random() * (self.interval or 0.01)
        self.next_at = time.monotonic() + first
        self.loop.call_later(first, self._send_next)

    def connection_lost(self, exc: Exception | None) -> None:
        self.waiting = False
        if not self.done.done():
            if time.monotonic() < self.deadline:
                self.done.set_exception(ConnectionError("the centre closed the connection"))
            else:
                self.done.set_result(None)

    def _finish(self) -> None:
        if self.transport is not None:
            self.transport.close()
        if not self.done.done():
            self.done.set_result(None)

    def _send_next(self) -> None:
        if time.monotonic() >= self.deadline:
            self._finish()
            return
        self.serial = (self.serial + 1) & 0xFFFF
        self.data, self.alarm = traffic_frame(self.rng, self.address, self.serial, self.alarm_share)
        self.attempt = 0
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        if self.transport.is_closing():
            return
        self.started = time.perf_counter()
        self.waiting = True  # `_sweep` resends after `timeout` without an answer
        self.transport.write(self.data)
        self.result.sent += 1
        self.result.resent += self.attempt > 0

    def _timed_out(self) -> None:
        self.attempt += 1
        if self.attempt < 4:
            self._send()
        else:
            self.waiting = False
            self._scheduled()

    def data_received(self, data: bytes) -> None:
        for event in self.reader.feed(data):
            if isinstance(event, Frame):
                self._answered(event.serial, event.command)

    def _answered(self, serial: int, command: int) -> None:
        if serial != self.serial or not self.waiting:
            return
        self.waiting = False
        elapsed = (time.perf_counter() - self.started) * 1000
        result = self.result
        if command == Command.CONFIRM:
            result.confirmed += 1
            result.heartbeats += len(self.data) == HEARTBEAT_LENGTH
            record = self.started >= result.record_from
            if record:
                result.latencies_ms.append(elapsed)
            if self.alarm:
                result.fire_alarms += 1
                if record:
                    result.alarm_latencies_ms.append(elapsed)
        else:
            result.denied += 1
        self._scheduled()

    def _scheduled(self) -> None:
        """The next frame on the device's timetable (at once when it is already due)."""
        if not self.interval:
            self.loop.call_soon(self._send_next)
            return
        self.next_at += self.interval * self.rng.uniform(0.5, 1.5)
        delay = self.next_at - time.monotonic()
        if delay <= 0:
            self.next_at = time.monotonic()
            self._send_next()
        else:
            self.loop.call_later(delay, self._send_next)


async def _sweep(devices: list[_Device], timeout: float) -> None:
    """Resend the frames unanswered after ``timeout`` (one pass for every device, not a timer
    per frame: at thousands of frames a second, timers would cost more than the frames)."""
    while True:
        await asyncio.sleep(min(timeout / 4, 0.5))
        expired = time.perf_counter() - timeout
        for device in devices:
            if device.waiting and device.started < expired:
                device._timed_out()


async def simulate(
    host: str,
    port: int,
    *,
    devices: int,
    rate: float,
    seconds: float,
    alarm_share: float = 0.01,
    burst_share: float = 0.0,
    timeout: float = 10.0,
    seed: int = 1,
    first_device: int = 0,
    warmup: float = 0.0,
) -> SimulationResult:
    """Run `devices` simulated UITDs for `seconds`, each sending about `rate` frames a second.

    Latencies are recorded for frames sent `warmup` seconds or more after the start."""
    loop = asyncio.get_running_loop()
    result = SimulationResult(record_from=time.perf_counter() + warmup)
    bursting = int(devices * burst_share)
    futures: list[asyncio.Future[None]] = []
    transports = []
    protocols: list[_Device] = []
    start = time.monotonic()
    deadline = start + seconds
    sweeper = asyncio.create_task(_sweep(protocols, timeout))  # sees devices as they connect
    for i in range(devices):
        n = first_device + i
        done: asyncio.Future[None] = loop.create_future()
        futures.append(done)

        def protocol(
            n: int = n, done: asyncio.Future[None] = done, burst: bool = i < bursting
        ) -> _Device:
            device = _Device(
                n,
                rate=rate,
                deadline=deadline,
                alarm_share=alarm_share,
                burst=burst,
                timeout=timeout,
                result=result,
                seed=seed,
                done=done,
            )
            protocols.append(device)
            return device

        for attempt in range(5):  # a device retries a refused connection, as UITDs do
            try:
                transport, _ = await loop.create_connection(protocol, host, port)
                transports.append(transport)
                break
            except OSError as exc:
                if attempt == 4:
                    done.set_exception(exc)
                else:
                    await asyncio.sleep(0.2 * (attempt + 1))
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    sweeper.cancel()
    result.seconds = time.monotonic() - start
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise RuntimeError(f"{len(failures)} simulated devices failed, e.g. {failures[0]!r}")
    return result
