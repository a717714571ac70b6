"""Receivers on real sockets, endpoints and alarm cases for the notification tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import AlarmCase, Device
from towerwatch.notifications.models import NotificationEndpoint

from .servers import HttpReceiver, SmtpReceiver


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    if not receiver.refuses():
        receiver.stop()


@pytest.fixture
def smtp(settings) -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", receiver.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield receiver
    receiver.stop()


@pytest.fixture
def endpoint(world: World) -> Callable[..., NotificationEndpoint]:
    def make(org: str = "property", **kw: Any) -> NotificationEndpoint:
        kw.setdefault("kind", "wecom")
        kw.setdefault("name", f"{org} {kw['kind']}")
        return NotificationEndpoint.objects.create(organization=world.orgs[org], **kw)

    return make


@pytest.fixture
def make_case(world: World) -> Callable[..., AlarmCase]:
    counter = iter(range(1, 100_000))

    def make(building: str = "res_a1", kind: str = "fire_alarm", **kw: Any) -> AlarmCase:
        n = next(counter)
        b = world.buildings[building]
        device, _ = Device.objects.get_or_create(
            address=f"{b.pk:06d}aa0000"[:12], defaults={"building": b}
        )
        now = timezone.now()
        return AlarmCase.objects.create(
            device=device,
            building=b,
            kind=kind,
            component_address=f"{n:08x}",
            description=kw.pop("description", f"{n}号探测器"),
            opened_at=now,
            last_event_at=now,
            **kw,
        )

    return make
