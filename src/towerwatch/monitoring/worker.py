"""The worker's ingest listeners, runnable alone (`towerwatch worker`) or beside the web server."""

from __future__ import annotations

import asyncio

from django.conf import settings

from .gb26875.server import GB26875Server, ServerConfig
from .ingest import Incoming, store_frames


def gb26875_server(listen: str | None = None) -> GB26875Server:
    """The GB/T 26875.3 server configured from settings (`TOWERWATCH_GB26875_LISTEN`)."""
    host, _sep, port = (listen or settings.TOWERWATCH_GB26875_LISTEN).rpartition(":")
    return GB26875Server(
        store_frames, Incoming, ServerConfig(host=host or "127.0.0.1", port=int(port))
    )


async def run_worker(listen: str | None = None) -> None:
    server = gb26875_server(listen)
    await server.start()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
