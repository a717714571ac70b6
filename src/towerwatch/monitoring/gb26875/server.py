"""The GB/T 26875.3 server: asyncio TCP, a confirm only after the data is committed.

Per connection a `FrameReader` cuts frames by their length field. Uploads go to one writer
task that stores them in batches (every `batch_interval` seconds or `max_batch` frames, fire
alarms at once) through `store` in a single database thread, and only then writes each
frame's 确认. Frames that cannot be valid get a 否认 (bad checksum, unknown command); an
oversized length or a stream of garbage closes the connection. Idle connections time out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import close_old_connections, connections
from django.utils import timezone

from .adu import DataType
from .frame import (
    DEFAULT_PROFILE,
    ChecksumError,
    Command,
    Frame,
    FrameError,
    GarbageError,
    OversizedFrameError,
    Profile,
    confirm,
    deny,
    encode_frame,
)

log = logging.getLogger("towerwatch.gb26875")

#: Commands a device may send us: uploads, answers to our requests, and its confirm/deny.
ACCEPTED_COMMANDS = {Command.SEND, Command.CONFIRM, Command.RESPONSE, Command.DENY}
#: Commands that the sender expects us to confirm.
CONFIRMED_COMMANDS = {Command.SEND}


@dataclass
class _Pending:
    item: object
    writer: asyncio.StreamWriter
    reply: bytes | None
    urgent: bool
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 9026
    batch_interval: float = 0.05
    max_batch: int = 2000
    idle_timeout: float = 300.0
    max_garbage: int = 4096
    profile: Profile = DEFAULT_PROFILE


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
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gb26875-db")
        self._server: asyncio.base_events.Server | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self.stats = {"frames": 0, "confirmed": 0, "denied": 0, "closed_bad_stream": 0}
        # The live connection of each device address (hex), for commands the centre sends.
        self.connections: dict[str, asyncio.StreamWriter] = {}
        self._serial = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.config.host, self.config.port)
        self._writer_task = asyncio.create_task(self._write_loop())
        log.info("GB/T 26875.3 listening on %s", self.address)

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._writer_task is not None:
            self._writer_task.cancel()
        # The database thread's connection is closed in that thread (Django's are per thread).
        await asyncio.get_running_loop().run_in_executor(self._db, connections.close_all)
        self._db.shutdown(wait=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        from .frame import FrameReader

        frames = FrameReader(self.config.profile)
        garbage = 0
        try:
            while True:
                data = await asyncio.wait_for(reader.read(65536), self.config.idle_timeout)
                if not data:
                    return
                for event in frames.feed(data):
                    if isinstance(event, Frame):
                        garbage = 0
                        await self._frame(event, writer)
                    elif isinstance(event, GarbageError):
                        garbage += event.skipped
                        if garbage > self.config.max_garbage:
                            self.stats["closed_bad_stream"] += 1
                            return
                    elif not self._answer_error(event, writer):
                        self.stats["closed_bad_stream"] += 1
                        return
        except (TimeoutError, ConnectionError):
            return
        finally:
            for address in [a for a, w in self.connections.items() if w is writer]:
                del self.connections[address]
            writer.close()

    def send(self, address: str, build: Callable[[int], bytes]) -> int | None:
        """Send a centre-initiated frame to a connected device; its serial, or None if offline.

        ``build(serial)`` returns the frame's bytes; the centre numbers its own frames (§6.6).
        """
        writer = self.connections.get(address)
        if writer is None or writer.is_closing():
            return None
        self._serial = (self._serial + 1) & 0xFFFF
        writer.write(build(self._serial))
        return self._serial

    async def _frame(self, frame: Frame, writer: asyncio.StreamWriter) -> None:
        self.stats["frames"] += 1
        self.connections[frame.source.hex()] = writer
        now = timezone.now()
        if frame.command not in ACCEPTED_COMMANDS:
            self.stats["denied"] += 1
            writer.write(
                encode_frame(
                    deny(frame, sent_at=now, profile=self.config.profile),
                    profile=self.config.profile,
                )
            )
            return
        raw = encode_frame(frame, profile=self.config.profile)
        reply = None
        if frame.command in CONFIRMED_COMMANDS:
            reply = encode_frame(
                confirm(frame, sent_at=now, profile=self.config.profile),
                profile=self.config.profile,
            )
        urgent = (
            bool(frame.adu)
            and frame.adu[0] in (DataType.SYSTEM_STATUS, DataType.COMPONENT_STATUS)
            and _has_alarm(frame)
        )
        pending = _Pending(
            self.make_item(frame=frame, raw=raw, received_at=now, profile=self.config.profile),
            writer,
            reply,
            urgent,
        )
        await self._queue.put(pending)

    def _answer_error(self, error: FrameError, writer: asyncio.StreamWriter) -> bool:
        """Answer a bad frame; False closes the connection."""
        if isinstance(error, OversizedFrameError):
            return False
        if isinstance(error, ChecksumError) and error.header is not None:
            self.stats["denied"] += 1
            writer.write(
                encode_frame(
                    deny(error.header, sent_at=timezone.now(), profile=self.config.profile),
                    profile=self.config.profile,
                )
            )
        return True

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            first = await self._queue.get()
            batch = [first]
            deadline = loop.time() + self.config.batch_interval
            while len(batch) < self.config.max_batch and not any(p.urgent for p in batch):
                timeout = deadline - loop.time()
                if timeout <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), timeout))
                except TimeoutError:
                    break
            while not self._queue.empty() and len(batch) < self.config.max_batch:
                batch.append(self._queue.get_nowait())
            try:
                await loop.run_in_executor(self._db, _store, self.store, [p.item for p in batch])
            except Exception:
                # Nothing was committed: no confirm; the devices resend (GB/T 26875.3 §6.5).
                log.exception("storing %d frames failed; not confirmed", len(batch))
                for p in batch:
                    p.writer.close()
                continue
            for p in batch:
                if p.reply is not None and not p.writer.is_closing():
                    p.writer.write(p.reply)
                    self.stats["confirmed"] += 1


def _store(store: Callable[[Sequence[object]], None], items: list[object]) -> None:
    close_old_connections()
    store(items)


def _has_alarm(frame: Frame) -> bool:
    from .adu import ComponentStatus, SystemStatus, decode_adu

    try:
        adu = decode_adu(frame.adu)
    except Exception:
        return False
    objects = getattr(adu, "objects", ())
    return any(
        isinstance(o, (SystemStatus, ComponentStatus)) and "fire_alarm" in o.flags for o in objects
    )
