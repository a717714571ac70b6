"""`towerwatch device_token ADDRESS`: issue an HTTP ingestion token for an IoT sensor."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from towerwatch.monitoring.actions import issue_ingest_token
from towerwatch.monitoring.choices import DeviceKind
from towerwatch.monitoring.models import Device


class Command(BaseCommand):
    help = (
        "Issue a new HTTP ingestion token for an IoT sensor (printed once; only its hash is kept)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("address")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            device = Device.objects.get(kind=DeviceKind.IOT_SENSOR, address=opts["address"])
        except Device.DoesNotExist:
            raise CommandError(f"No IoT sensor with address {opts['address']!r}.") from None
        self.stdout.write(issue_ingest_token(device, acting_user=None))
