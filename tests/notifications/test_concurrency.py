"""Several workers delivering at once (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED): every
message goes out once, and an address's storm is still one first message and one digest."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from towerwatch.core.testing.world import World, build_world
from towerwatch.notifications.actions import notify_level
from towerwatch.notifications.models import OutboxMessage
from towerwatch.notifications.outbox import deliver_pending, enqueue_webhook

from .servers import HttpReceiver

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite: one worker)"
    ),
]


def run_workers(n: int) -> list[int]:
    results: list[int] = []
    barrier = threading.Barrier(n)

    def work() -> None:
        try:
            barrier.wait()
            results.append(deliver_pending())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_workers_deliver_each_message_once(settings) -> None:
    from towerwatch.monitoring.models import AlarmCase, Device
    from towerwatch.notifications.models import NotificationEndpoint

    world: World = build_world()
    receiver = HttpReceiver().start()
    try:
        for n in range(30):
            enqueue_webhook("confirmed_fire", receiver.url("/119"), {"n": n})
        for key in ("property", "owner", "town_a"):
            NotificationEndpoint.objects.create(
                organization=world.orgs[key], kind="wecom", name=key, url=receiver.url(f"/{key}")
            )
        building = world.buildings["res_a1"]
        device = Device.objects.create(address="c0c0c0c0c0c0", building=building)
        from django.utils import timezone

        for n in range(10):
            now = timezone.now()
            case = AlarmCase.objects.create(
                device=device,
                building=building,
                kind="fire_alarm",
                component_address=f"{n:08x}",
                opened_at=now,
                last_event_at=now,
            )
            notify_level("building", case)
        results = run_workers(3)
        ids = [r.headers["x-towerwatch-message"] for r in receiver.received]
        assert len(ids) == len(set(ids)) == sum(results)
        assert sorted(r.body["n"] for r in receiver.received if r.path == "/119") == list(range(30))
        robots = [r.path for r in receiver.received if r.path != "/119"]
        # each robot: its ten alarms went as one digest at once, never twice
        assert sorted(robots) == ["/owner", "/property", "/town_a"]
        assert not OutboxMessage.objects.filter(state="pending").exists()
    finally:
        receiver.stop()
