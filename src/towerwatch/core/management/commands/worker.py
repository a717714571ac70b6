"""`towerwatch worker`: the ingest listeners (GB/T 26875.3 over TCP today)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from towerwatch.core import aio
from towerwatch.monitoring.worker import ROLES, run_worker


class Command(BaseCommand):
    help = "Run the background worker: the GB/T 26875.3 listener."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--gb26875", help="host:port to listen on (default from settings)")
        parser.add_argument(
            "--reuse-port",
            action="store_true",
            help="share the GB/T 26875.3 port with other worker processes (SO_REUSEPORT)",
        )
        parser.add_argument(
            "--role",
            choices=ROLES,
            default="all",
            help="all (default); listen: device listeners only; jobs: periodic jobs only",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        aio.run(run_worker(opts["gb26875"], opts["reuse_port"], opts["role"]))
