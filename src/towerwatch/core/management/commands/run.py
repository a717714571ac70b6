"""`towerwatch run`: the embedded default, everything in one process on 127.0.0.1:8000.

Today that is the web application; the background worker (ingestion, scheduler, outbox)
joins this process when the monitoring centre lands.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run TowerWatch in one process (web server) on SQLite."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(f"TowerWatch on http://{opts['host']}:{opts['port']}/  (Ctrl-C stops it)")
        call_command("serve", host=opts["host"], port=opts["port"])
