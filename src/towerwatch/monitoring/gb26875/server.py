"""The GB/T 26875.3 server: asyncio TCP, a confirm only after the data is committed.

Each connection is an `asyncio.Protocol` (no coroutine per frame): its `FrameReader` cuts
frames by their length field as bytes arrive. Uploads join one pending list; a writer task
hands the list to `store` in a single database thread as soon as the previous commit is done
(waiting at most `batch_interval` for company, never when a fire alarm is among them, never
beyond `max_batch` frames), and only after `store` returns (committed) writes each frame's 确认.
Frames that cannot be valid get a 否认 (bad checksum, unknown command); an oversized length or a
stream of garbage closes the connection. Idle connections time out; a peer that does not read
its answers is not read from either (per-connection memory stays bounded).

The framing is chosen per connection from its first bytes: binary frames start with ``@@``,
ASCII-hex ones (some DTUs, doc §5.1 item 13) with the text ``4040``; answers go back in the
same framing. How the ADU is read (time labels, status byte order) is the device's profile,
applied by the store (`ingest.Incoming.for_device`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from django.db import connections

from .adu import DataType
from .frame import (
    _CONTROL_UNIT,
    _HEX_WHITESPACE,
    DEFAULT_PROFILE,
    END,
    START,
    ChecksumError,
    Command,
    Frame,
    FrameError,
    FrameHeader,
    FrameReader,
    GarbageError,
    OversizedFrameError,
    Profile,
    TimeLabel,
)

log = logging.getLogger("towerwatch.gb26875")

#: Commands a device may send us: uploads, answers to our requests, and its confirm/deny.
ACCEPTED_COMMANDS = frozenset({Command.SEND, Command.CONFIRM, Command.RESPONSE, Command.DENY})
_CONFIRM, _DENY = int(Command.CONFIRM), int(Command.DENY)
#: Commands that the sender expects us to confirm.
CONFIRMED_COMMANDS = frozenset({Command.SEND})


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 9026
    batch_interval: float = 0.01  # the longest a frame waits for company; 0 = at once
    max_batch: int = 2000
    idle_timeout: float = 300.0
    max_garbage: int = 4096
    profile: Profile = DEFAULT_PROFILE
    reuse_port: bool = False
    backlog: int = 4096  # thousands of UITDs reconnect at once after a centre restart


class GB26875Server:
    """Accepts UITD connections; `store(items)` must commit before returning."""

    def __init__(
        self,
        store: Callable[[Sequence[object]], None],
        make_item: Callable[..., object],
        config: ServerConfig | None = None,
    ) -> None:
        self.store = store
        self.make_item = make_item
        self.config = config or ServerConfig()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gb26875-db")
        self._server: asyncio.base_events.Server | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self._sweeper_task: asyncio.Task[None] | None = None
        self.stats = {"frames": 0, "confirmed": 0, "denied": 0, "closed_bad_stream": 0}
        # The live connection of each device address (hex), for commands the centre sends.
        self.connections: dict[str, asyncio.Transport] = {}
        self._serial = 0
        # Uploads waiting for the writer: (item, connection, confirm bytes or None).
        self._pending: list[tuple[object, _Connection, bytes | None]] = []
        self._first_pending_at = 0.0
        self._has_pending: asyncio.Event | None = None
        self._flush_now: asyncio.Event | None = None
        self._live: set[_Connection] = set()
        self._label_second = -1
        self._label = b""
        # The two framings a connection may turn out to use (`_Connection.data_received`).
        profile = self.config.profile
        self.framings = {
            False: dataclasses.replace(profile, ascii_hex=False),
            True: dataclasses.replace(profile, ascii_hex=True),
        }

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._has_pending = asyncio.Event()
        self._flush_now = asyncio.Event()
        self._server = await loop.create_server(
            lambda: _Connection(self),
            self.config.host,
            self.config.port,
            reuse_port=self.config.reuse_port or None,
            backlog=self.config.backlog,
        )
        self._writer_task = asyncio.create_task(self._write_loop())
        self._sweeper_task = asyncio.create_task(self._sweep_idle())
        log.info("GB/T 26875.3 listening on %s", self.address)

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self._live):
            conn.transport.close()
        if self._server is not None:
            await self._server.wait_closed()
        for task in (self._writer_task, self._sweeper_task):
            if task is not None:
                task.cancel()
        # The database thread's connection is closed in that thread (Django's are per thread).
        await asyncio.get_running_loop().run_in_executor(self._db, connections.close_all)
        self._db.shutdown(wait=True)

    def send(self, address: str, build: Callable[[int], bytes]) -> int | None:
        """Send a centre-initiated frame to a connected device; its serial, or None if offline.

        ``build(serial)`` returns the frame's binary bytes (sent as ASCII hex to a device that
        uses that framing); the centre numbers its own frames (§6.6).
        """
        transport = self.connections.get(address)
        if transport is None or transport.is_closing():
            return None
        self._serial = (self._serial + 1) & 0xFFFF
        wire = build(self._serial)
        conn = transport.get_protocol()
        if isinstance(conn, _Connection) and conn.profile.ascii_hex:
            wire = wire.hex().upper().encode("ascii")  # the framing the device itself uses
        transport.write(wire)
        return self._serial

    # -- per frame (event loop thread) ---------------------------------------------------------

    def _time_label(self, now: float) -> bytes:
        """The centre's time label for this second, encoded per profile (cached a second)."""
        second = int(now)
        if second != self._label_second:
            moment = datetime.fromtimestamp(second, UTC)
            profile = self.config.profile
            label = TimeLabel.from_datetime(moment, profile.time_zone)
            self._label = label.encode(bcd=profile.bcd_time)
            self._label_second = second
        return self._label

    def _frame(self, frame: Frame, raw: bytes, conn: _Connection) -> None:
        self.stats["frames"] += 1
        if frame.source != conn.source:
            conn.source = frame.source
            self.connections[frame.source.hex()] = conn.transport
        profile = conn.profile
        now = time.time()
        if frame.command not in ACCEPTED_COMMANDS:
            self.stats["denied"] += 1
            conn.transport.write(self._answer(frame, _DENY, now, profile))
            return
        reply = (
            self._answer(frame, _CONFIRM, now, profile)
            if frame.command in CONFIRMED_COMMANDS
            else None
        )
        if profile.ascii_hex:
            raw = raw.hex().upper().encode("ascii")
        item = self.make_item(
            frame=frame, raw=raw, received_at=datetime.fromtimestamp(now, UTC), profile=profile
        )
        pending = self._pending
        if not pending:
            self._first_pending_at = time.monotonic()
            assert self._has_pending is not None
            self._has_pending.set()
        pending.append((item, conn, reply))
        assert self._flush_now is not None
        # The device's profile is not known here: a fire alarm in either byte order flushes.
        if len(pending) >= self.config.max_batch or (frame.adu and may_be_fire_alarm(frame.adu)):
            self._flush_now.set()

    def _answer(
        self, to: Frame | FrameHeader, command: int, now: float, profile: Profile | None = None
    ) -> bytes:
        """确认/否认 bytes for ``to``: its serial, swapped addresses, the centre's time (§6.2)."""
        profile = profile or self.config.profile
        body = _CONTROL_UNIT.pack(
            to.serial,
            profile.version[0],
            profile.version[1],
            self._time_label(now),
            to.destination,
            to.source,
            0,
            command,
        )
        wire = START + body + bytes((sum(body) & 0xFF,)) + END
        return wire.hex().upper().encode("ascii") if profile.ascii_hex else wire

    def _error(self, error: FrameError, conn: _Connection) -> bool:
        """Answer a bad frame; False closes the connection."""
        if isinstance(error, OversizedFrameError):
            return False
        if isinstance(error, ChecksumError) and error.header is not None:
            self.stats["denied"] += 1
            conn.transport.write(
                self._answer(error.header, Command.DENY, time.time(), conn.profile)
            )
        return True

    # -- the writer ------------------------------------------------------------------------

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        has_pending, flush_now = self._has_pending, self._flush_now
        assert has_pending is not None and flush_now is not None
        config = self.config
        while True:
            await has_pending.wait()
            wait = self._first_pending_at + config.batch_interval - time.monotonic()
            if wait > 0 and not flush_now.is_set():
                try:
                    await asyncio.wait_for(flush_now.wait(), wait)
                except TimeoutError:
                    pass
            batch = self._pending[: config.max_batch]
            del self._pending[: config.max_batch]
            flush_now.clear()
            if self._pending:
                self._first_pending_at = time.monotonic()
                if len(self._pending) >= config.max_batch:
                    flush_now.set()
            else:
                has_pending.clear()
            try:
                await loop.run_in_executor(self._db, _store, self.store, [p[0] for p in batch])
            except Exception:
                # Nothing was committed: no confirm; the devices resend (GB/T 26875.3 §6.5).
                log.exception("storing %d frames failed; not confirmed", len(batch))
                for _item, conn, _reply in batch:
                    conn.transport.close()
                continue
            confirmed = 0
            for _item, conn, reply in batch:
                if reply is not None and not conn.transport.is_closing():
                    conn.transport.write(reply)
                    confirmed += 1
            self.stats["confirmed"] += confirmed

    async def _sweep_idle(self) -> None:
        """Close connections silent longer than `idle_timeout` (checked a few times per period)."""
        period = max(0.05, min(5.0, self.config.idle_timeout / 4))
        while True:
            await asyncio.sleep(period)
            limit = time.monotonic() - self.config.idle_timeout
            for conn in [c for c in self._live if c.last_active < limit]:
                conn.transport.close()


class _Connection(asyncio.Protocol):
    """One device connection: frames in as bytes arrive, answers out."""

    def __init__(self, server: GB26875Server) -> None:
        self.server = server
        self.profile = server.config.profile
        # Chosen from the first bytes (`_choose_framing`); until then they wait in `head`.
        self.reader: FrameReader | None = None
        self.head = b""
        self.garbage = 0
        self.source = b""
        self.last_active = time.monotonic()
        self.transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP transport (uvloop's is not an asyncio.Transport subclass, but behaves as one).
        self.transport = cast(asyncio.Transport, transport)
        self.server._live.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server._live.discard(self)
        if self.source:
            address = self.source.hex()
            if self.server.connections.get(address) is self.transport:
                del self.server.connections[address]

    def pause_writing(self) -> None:
        # The peer does not read its answers: stop reading its frames until it does.
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        server = self.server
        reader = self.reader
        if reader is None:
            reader = self._choose_framing(data)
            if reader is None:
                return
            data, self.head = self.head, b""
        for event in reader.feed_raw(data):
            if isinstance(event, tuple):
                self.garbage = 0
                server._frame(event[0], event[1], self)
            elif isinstance(event, GarbageError):
                self.garbage += event.skipped
                if self.garbage > server.config.max_garbage:
                    server.stats["closed_bad_stream"] += 1
                    self.transport.close()
                    return
            elif not server._error(event, self):
                server.stats["closed_bad_stream"] += 1
                self.transport.close()
                return
            if self.transport.is_closing():
                return

    def _choose_framing(self, data: bytes) -> FrameReader | None:
        """Binary unless the first four non-blank bytes are the text ``4040`` (ASCII hex)."""
        self.head += data
        text = self.head.lstrip(_HEX_WHITESPACE)
        if len(text) < 4 and START[:1] not in text:
            if len(self.head) > self.server.config.max_garbage:
                self.server.stats["closed_bad_stream"] += 1
                self.transport.close()
            return None
        self.profile = self.server.framings[text[:4] == b"4040"]
        self.reader = FrameReader(self.profile)
        return self.reader


def _store(store: Callable[[Sequence[object]], None], items: list[object]) -> None:
    """Run ``store`` in the database thread, which keeps its connection from batch to batch
    (a connection per batch would cost more than the batch); one that failed is not reused."""
    try:
        store(items)
    except Exception:
        connections.close_all()
        raise


#: Bytes per information object of the status types, and where the status word starts.
_STATUS_LAYOUT: dict[int, tuple[tuple[int, ...], int, int]] = {
    DataType.SYSTEM_STATUS: ((10,), 2, 2),
    DataType.COMPONENT_STATUS: ((46, 15), 7, 2),  # 15: 富贝 objects without the description
    DataType.DEVICE_STATUS: ((7,), 0, 1),
}
_FIRE_ALARM_BIT = 1 << 1  # bit 1 of Figs. 6, 7 and 13


def is_fire_alarm(adu: bytes, profile: Profile = DEFAULT_PROFILE) -> bool:
    """Whether an upload reports a fire alarm (status bit 1), read from the bytes, not decoded.

    Status bit 0 ("normal") is ignored: real fire alarms arrive with it clear (doc §5.1 item 5).
    """
    return _fire_alarm_bit(adu, 1 if profile.big_endian_status else 0, 1)


def may_be_fire_alarm(adu: bytes) -> bool:
    """`is_fire_alarm` under either status byte order (the server does not know the device's).

    A standard upload with bit 9 set (a system's backup power fault) is flushed early too;
    that costs a smaller batch, never a late alarm.
    """
    return _fire_alarm_bit(adu, 0, 2)


def _fire_alarm_bit(adu: bytes, first: int, span: int) -> bool:
    """Bit 1 of any of ``span`` status bytes from byte ``first`` of each 16-bit status word."""
    layout = _STATUS_LAYOUT.get(adu[0]) if len(adu) >= 2 else None
    if layout is None:
        return False
    sizes, offset, width = layout
    count, body = adu[1], len(adu) - 2
    if not count:
        return False
    for size in sizes:
        if body == count * size:
            if width == 1:
                first, span = 0, 1
            low = 2 + offset + first
            for at in range(low, low + count * size, size):
                if adu[at] & _FIRE_ALARM_BIT or (span == 2 and adu[at + 1] & _FIRE_ALARM_BIT):
                    return True
            return False
    return False
