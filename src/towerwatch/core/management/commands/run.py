"""`towerwatch run`: the embedded default, web server and worker in one process on SQLite."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from towerwatch.core import aio


class Command(BaseCommand):
    help = "Run TowerWatch in one process: the web server and the worker (devices, MQTT, jobs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--gb26875", default=None, help="host:port of the device listener")

    def handle(self, *args: Any, **opts: Any) -> None:
        listen = opts["gb26875"] or settings.TOWERWATCH_GB26875_LISTEN
        self.stdout.write(f"TowerWatch on http://{opts['host']}:{opts['port']}/  (Ctrl-C stops it)")
        self.stdout.write(f"GB/T 26875.3 devices on {listen}")
        aio.run(_main(opts["host"], opts["port"], listen))


async def _main(host: str, port: int, listen: str) -> None:
    import uvicorn

    from towerwatch.monitoring.worker import Worker

    worker = Worker(listen)
    await worker.start()
    config = uvicorn.Config(
        "towerwatch.asgi:application", host=host, port=port, lifespan="off", proxy_headers=True
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await worker.stop()
