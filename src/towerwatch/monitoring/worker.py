"""The worker's ingest listeners, runnable alone (`towerwatch worker`) or beside the web server."""

from __future__ import annotations

import asyncio
import os
import socket

from django.conf import settings

from .gb26875.server import GB26875Server, ServerConfig
from .ingest import Incoming, store_frames
from .mqtt import Subscriber


def gb26875_server(listen: str | None = None) -> GB26875Server:
    """The GB/T 26875.3 server configured from settings (`TOWERWATCH_GB26875_LISTEN`)."""
    host, _sep, port = (listen or settings.TOWERWATCH_GB26875_LISTEN).rpartition(":")
    return GB26875Server(
        store_frames, Incoming, ServerConfig(host=host or "127.0.0.1", port=int(port))
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


async def run_worker(listen: str | None = None) -> None:
    server = gb26875_server(listen)
    subscriber = mqtt_subscriber()
    await server.start()
    if subscriber is not None:
        subscriber.start()
    try:
        await asyncio.Event().wait()
    finally:
        if subscriber is not None:
            subscriber.stop()
        await server.stop()
