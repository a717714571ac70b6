"""The worker's ingest listeners, runnable alone (`towerwatch worker`) or beside the web server."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

from towerwatch.hazards.jobs import remind_and_escalate
from towerwatch.inspections.jobs import remind_and_escalate as remind_inspections
from towerwatch.notifications.jobs import send_reminders
from towerwatch.notifications.outbox import deliver_pending

from .duty import expire_duty_checks, send_duty_checks
from .gb26875.server import GB26875Server, ServerConfig
from .ingest import Incoming, store_frames
from .jobs import check_offline, escalate_cases, schedule_duty_checks
from .mqtt import Subscriber
from .retention import check_setting, purge_old_records

log = logging.getLogger("towerwatch.worker")


def gb26875_server(listen: str | None = None, reuse_port: bool = False) -> GB26875Server:
    """The GB/T 26875.3 server configured from settings (`TOWERWATCH_GB26875_LISTEN`).

    ``reuse_port``: several worker processes share the port (SO_REUSEPORT; the kernel spreads
    the devices' connections over them)."""
    host, _sep, port = (listen or settings.TOWERWATCH_GB26875_LISTEN).rpartition(":")
    return GB26875Server(
        store_frames,
        Incoming,
        ServerConfig(host=host or "127.0.0.1", port=int(port), reuse_port=reuse_port),
    )


def mqtt_subscriber() -> Subscriber | None:
    """The MQTT subscriber when `TOWERWATCH_MQTT_BROKER` names a broker, else None."""
    broker = settings.TOWERWATCH_MQTT_BROKER
    if not broker:
        return None
    host, _sep, port = broker.rpartition(":")
    return Subscriber(
        host or "127.0.0.1",
        int(port or 1883),
        client_id=f"towerwatch-{socket.gethostname()}-{os.getpid()}",
        prefix=settings.TOWERWATCH_MQTT_PREFIX,
    )


async def every(seconds: float, job: Callable[[], object]) -> None:
    """Run a periodic job in a thread (it uses the database) every `seconds`, forever."""
    while True:
        try:
            await asyncio.to_thread(_run_job, job)
        except Exception:
            log.exception("periodic job %s failed", getattr(job, "__name__", job))
        await asyncio.sleep(seconds)


def _run_job(job: Callable[[], object]) -> None:
    close_old_connections()
    try:
        job()
    finally:
        connections.close_all()


#: What a worker process runs: everything, only the device listeners, or only the periodic jobs.
ROLES = ("all", "listen", "jobs")


class Worker:
    """Everything `towerwatch worker` runs: the device listener, MQTT, periodic jobs.

    ``role`` splits them for larger deployments: ``listen`` (the GB/T 26875.3 listener with the
    duty checks it sends, and MQTT) and ``jobs`` (reminders, escalations, outbox, offline
    detection, retention), so a long pass of a job never shares an interpreter with confirms.
    """

    def __init__(
        self, listen: str | None = None, reuse_port: bool = False, role: str = "all"
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        self.role = role
        listens = role in ("all", "listen")
        self.server = gb26875_server(listen, reuse_port) if listens else None
        self.subscriber = mqtt_subscriber() if listens else None
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        # Refuse to start with a retention the rule set in force forbids (GB 50440 §3.0.2-5).
        await asyncio.to_thread(_run_job, check_setting)
        if self.server is not None:
            await self.server.start()
            self.tasks.append(asyncio.create_task(self._duty_checks(self.server)))
        if self.subscriber is not None:
            self.subscriber.start()
        if self.role in ("all", "jobs"):
            for seconds, job in (
                (60, check_offline),
                (1, deliver_pending),
                (15, send_reminders),
                (5, escalate_cases),
                (30, expire_duty_checks),
                (60, remind_and_escalate),
                (60, schedule_duty_checks),
                (60, purge_old_records),
                (900, remind_inspections),
            ):
                self.tasks.append(asyncio.create_task(every(seconds, job)))

    async def _duty_checks(self, server: GB26875Server) -> None:
        """Send the due duty checks over the live device connections (only this process has
        them); which checks are due is decided by `schedule_duty_checks`, a job."""
        while True:
            try:
                await send_duty_checks(server)
            except Exception:
                log.exception("sending duty checks failed")
            await asyncio.sleep(1)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.subscriber is not None:
            self.subscriber.stop()
        if self.server is not None:
            await self.server.stop()


async def run_worker(
    listen: str | None = None, reuse_port: bool = False, role: str = "all"
) -> None:
    worker = Worker(listen, reuse_port, role)
    await worker.start()
    try:
        await asyncio.Event().wait()
    finally:
        await worker.stop()
