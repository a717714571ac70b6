"""Fan-out of "an alarm case opened or changed" to every open console stream of a process.

Every change of a case is an `AlarmFlip` row (the case's timeline), whichever process wrote it:
the ingest path in a worker, a job, an operator's decision in a web process. One `Hub` per
process and event loop watches for new rows and wakes every Server-Sent Events stream it
serves, so a hundred open consoles cost one watcher, not a hundred polls.

- PostgreSQL: a statement-level trigger on the timeline table sends
  `NOTIFY towerwatch_cases, '<newest id>'` (migration 0013); NOTIFY is transactional, so a
  console hears of a case only once it is committed, and from any process. The hub holds one
  dedicated connection in LISTEN; a slow safety poll (`TOWERWATCH_STREAM_SAFETY_POLL_S`) covers
  the moments the listening connection is being re-established.
- SQLite: the hub reads the newest timeline id every `TOWERWATCH_STREAM_POLL_MS` (50 ms: one
  indexed read per process); `publish()` wakes it at once when the change was made in this
  process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

log = logging.getLogger("towerwatch.stream")

CHANNEL = "towerwatch_cases"


def poll_seconds() -> float:
    """How often the newest timeline id is read where there is no NOTIFY (SQLite)."""
    return float(settings.TOWERWATCH_STREAM_POLL_MS) / 1000


def newest_flip() -> int:
    from .models import AlarmFlip

    return AlarmFlip.objects.order_by("-id").values_list("id", flat=True).first() or 0


_newest = sync_to_async(newest_flip)


class Hub:
    """Watches the case timeline for one event loop and fans each change out to subscribers."""

    def __init__(self) -> None:
        self.subscribers: set[asyncio.Queue[int]] = set()
        self.newest = 0
        self.task: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()
        self.mode = "poll"

    async def subscribe(self) -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        self.subscribers.add(queue)
        if self.task is None or self.task.done():
            self.newest = await _newest()
            self.task = asyncio.create_task(self._run())
        return queue

    def unsubscribe(self, queue: asyncio.Queue[int]) -> None:
        self.subscribers.discard(queue)

    def fan_out(self, newest: int) -> None:
        if newest <= self.newest:
            return
        self.newest = newest
        for queue in list(self.subscribers):
            if queue.full():  # a slow reader needs only the newest id
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(newest)

    async def _run(self) -> None:
        try:
            if connections["default"].vendor == "postgresql":
                self.mode = "listen"
                await self._listen_forever()
            else:
                await self._poll_forever()
        except asyncio.CancelledError:
            raise
        except Exception:  # never leave the consoles without a watcher
            log.exception("case stream watcher failed; polling instead")
            self.mode = "poll"
            await self._poll_forever()

    async def _poll_forever(self) -> None:
        while self.subscribers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), poll_seconds())
            self.wake.clear()
            self.fan_out(await _newest())
        self.task = None

    async def _listen_forever(self) -> None:
        import psycopg

        params = await sync_to_async(_connection_params)()
        safety = settings.TOWERWATCH_STREAM_SAFETY_POLL_S
        while self.subscribers:
            try:
                async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    log.info("console stream: LISTEN %s", CHANNEL)
                    self.fan_out(await _newest())  # whatever happened while connecting
                    while self.subscribers:
                        async for note in conn.notifies(timeout=safety):
                            self.fan_out(int(note.payload or 0))
                        self.fan_out(await _newest())  # the safety poll
            except (psycopg.OperationalError, OSError) as exc:
                log.warning("LISTEN connection lost (%s); reconnecting", exc)
                await asyncio.sleep(1)
                self.fan_out(await _newest())
        self.task = None


def _connection_params() -> dict[str, Any]:
    params = dict(connections["default"].get_connection_params())
    for key in ("cursor_factory", "context", "prepare_threshold", "server_side_binding"):
        params.pop(key, None)
    return params


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub (uvicorn runs one loop per process)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found


def publish(flip_id: int | None = None) -> None:
    """Wake this process's consoles now (a change committed in this process).

    Other processes learn of it from the database (NOTIFY on PostgreSQL, the poll on SQLite);
    this only saves the in-process watcher its next poll interval.
    """
    try:
        hubs = list(_hubs.items())
    except RuntimeError:  # a loop's hub was added meanwhile; its next poll comes soon
        return
    for loop, h in hubs:
        if not loop.is_closed():
            loop.call_soon_threadsafe(h.wake.set)
