"""`towerwatch simulate`: play realistic UITD traffic at a running TowerWatch."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from towerwatch.core import aio
from towerwatch.monitoring.simulator import simulate


class Command(BaseCommand):
    help = "Connect simulated UITDs (GB/T 26875.3) to a running instance and play traffic."
    requires_system_checks: list[str] = []  # a client of the running instance

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--target", default="127.0.0.1:9026", help="host:port of the device listener"
        )
        parser.add_argument("--uitds", type=int, default=50, help="how many devices")
        parser.add_argument("--rate", type=float, default=1.0, help="frames a second per device")
        parser.add_argument("--seconds", type=float, default=30.0)
        parser.add_argument(
            "--alarm-share", type=float, default=0.01, help="share of frames that are fire alarms"
        )
        parser.add_argument(
            "--burst-share", type=float, default=0.0, help="share of devices sending back to back"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--warmup",
            type=float,
            default=0.0,
            help="seconds after the start whose frames count but are left out of the latencies",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        host, _sep, port = opts["target"].rpartition(":")
        result = aio.run(
            simulate(
                host,
                int(port),
                devices=opts["uitds"],
                rate=opts["rate"],
                seconds=opts["seconds"],
                alarm_share=opts["alarm_share"],
                burst_share=opts["burst_share"],
                seed=opts["seed"],
                warmup=opts["warmup"],
            )
        )
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
