"""`towerwatch simulate`: UITDs that connect to a running instance and play realistic traffic.

Each simulated device keeps one TCP connection and works stop-and-wait, as UITDs do
(GB/T 26875.3 §6.5): it sends a frame and waits for the 确认 before the next one, resending
after the timeout. Traffic is mostly heartbeats, some faults and restores, a small share of
fire alarms; `burst` makes a share of devices send back-to-back frames (an alarm storm).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime

from .gb26875 import Adu, encode_frame
from .gb26875.adu import ComponentStatus, adu_frame
from .gb26875.frame import CHINA_TIME, Command, Frame, FrameReader, TimeLabel

CENTRE = bytes(6)
HEARTBEAT_LENGTH = 30  # a frame with an empty ADU


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
            "alarm_confirm_p99_ms": pct(self.alarm_latencies_ms, 0.99),
        }


def device_address(n: int) -> bytes:
    """A stable 6-byte address for simulated device `n` (prefix 0x5E: "simulated")."""
    return bytes([0x5E]) + n.to_bytes(5, "big")


def traffic_frame(
    rng: random.Random, address: bytes, serial: int, alarm_share: float
) -> tuple[bytes, bool]:
    """One realistic frame: (bytes, is fire alarm)."""
    now = datetime.now(CHINA_TIME)
    roll = rng.random()
    if roll < 0.6:  # heartbeat: empty upload
        frame = Frame(
            serial=serial,
            command=Command.SEND,
            source=address,
            destination=CENTRE,
            sent_at=TimeLabel.from_datetime(now),
        )
        return encode_frame(frame), False
    alarm = roll > 1 - alarm_share
    status = 0x0003 if alarm else rng.choice([0x0005, 0x0001, 0x0009, 0x0101])
    point = rng.randrange(1, 400)
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=rng.choice([21, 40, 41, 23]),
        component_address=point.to_bytes(4, "little"),
        status=status,
        description=f"{point // 40 + 1}层 点位{point}",
        at=TimeLabel.from_datetime(now),
    )
    frame = adu_frame(
        Adu(type=2, objects=(obj,)), serial=serial, source=address, destination=CENTRE, sent_at=now
    )
    return encode_frame(frame), alarm


async def _device(
    n: int,
    host: str,
    port: int,
    *,
    rate: float,
    deadline: float,
    alarm_share: float,
    burst: bool,
    timeout: float,
    result: SimulationResult,
    seed: int,
) -> None:
    rng = random.Random(seed * 100_003 + n)
    address = device_address(n)
    reader, writer = await asyncio.open_connection(host, port)
    frames = FrameReader()
    serial = 0
    interval = 0.0 if burst else 1.0 / rate
    try:
        await asyncio.sleep(rng.random() * (interval or 0.01))
        while time.monotonic() < deadline:
            serial = (serial + 1) & 0xFFFF
            data, alarm = traffic_frame(rng, address, serial, alarm_share)
            for attempt in range(4):  # the first send and 3 retries (§6.5)
                started = time.perf_counter()
                writer.write(data)
                result.sent += 1
                result.resent += attempt > 0
                answer = await _answer(reader, frames, serial, timeout)
                if answer is not None:
                    elapsed = (time.perf_counter() - started) * 1000
                    if answer == Command.CONFIRM:
                        result.confirmed += 1
                        result.heartbeats += len(data) == HEARTBEAT_LENGTH
                        result.latencies_ms.append(elapsed)
                        if alarm:
                            result.fire_alarms += 1
                            result.alarm_latencies_ms.append(elapsed)
                    else:
                        result.denied += 1
                    break
            if interval:
                await asyncio.sleep(interval * rng.uniform(0.5, 1.5))
    finally:
        writer.close()


async def _answer(
    reader: asyncio.StreamReader, frames: FrameReader, serial: int, timeout: float
) -> int | None:
    loop_deadline = time.monotonic() + timeout
    while time.monotonic() < loop_deadline:
        try:
            data = await asyncio.wait_for(reader.read(4096), loop_deadline - time.monotonic())
        except TimeoutError:
            return None
        if not data:
            raise ConnectionError("the centre closed the connection")
        for event in frames.feed(data):
            if isinstance(event, Frame) and event.serial == serial:
                return event.command
    return None


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
) -> SimulationResult:
    """Run `devices` simulated UITDs for `seconds`, each sending about `rate` frames a second."""
    result = SimulationResult()
    start = time.monotonic()
    deadline = start + seconds
    bursting = int(devices * burst_share)
    tasks = [
        _device(
            n,
            host,
            port,
            rate=rate,
            deadline=deadline,
            alarm_share=alarm_share,
            burst=n < bursting,
            timeout=timeout,
            result=result,
            seed=seed,
        )
        for n in range(devices)
    ]
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    result.seconds = time.monotonic() - start
    failures = [o for o in outcomes if isinstance(o, Exception)]
    if failures:
        raise RuntimeError(f"{len(failures)} simulated devices failed, e.g. {failures[0]!r}")
    return result
