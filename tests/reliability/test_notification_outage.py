"""A notification endpoint down for an hour (issue 3, reliability).

A real HTTP server on 127.0.0.1 plays the 119 centre's receiver and a WeCom group robot. For the
first half hour its socket is closed (connections refused), for the second half it answers 500,
then it recovers. Alarms keep coming during the outage; time moves with time-machine and the
worker's jobs run every 10 simulated seconds. Afterwards: every message is delivered, none
twice, every attempt is logged, and the backoff never waits longer than its cap.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import AlarmCase, Device
from towerwatch.notifications.actions import notify_building_chain, notify_level
from towerwatch.notifications.jobs import send_reminders
from towerwatch.notifications.models import DeliveryAttempt, NotificationEndpoint, OutboxMessage
from towerwatch.notifications.outbox import BACKOFF_MAX_S, deliver_pending, enqueue_webhook

from ..notifications.servers import HttpReceiver

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))
TICK = timedelta(seconds=10)


def new_case(world: World, n: int) -> AlarmCase:
    building = world.buildings["res_a1"]
    device, _ = Device.objects.get_or_create(address="a1a1a1a1a1a1", building=building)
    now = timezone.now()
    return AlarmCase.objects.create(
        device=device,
        building=building,
        kind="fire_alarm",
        component_address=f"{n:08x}",
        description=f"{n}号探测器",
        opened_at=now,
        last_event_at=now,
    )


def test_an_endpoint_down_for_an_hour_gets_everything_once_when_back(
    world: World, settings
) -> None:
    settings.TOWERWATCH_NOTIFY_DIGEST_WINDOW_S = 60
    settings.TOWERWATCH_NOTIFY_RATE_PER_MINUTE = 10
    receiver = HttpReceiver().start()
    NotificationEndpoint.objects.create(
        organization=world.orgs["property"], kind="wecom", name="值班群", url=receiver.url("/robot")
    )
    receiver.stop()  # down: connections refused
    assert receiver.refuses()
    fires: list[int] = []
    alarms: list[int] = []
    with time_machine.travel(T0, tick=False) as clock:
        for step in range(360):  # one hour of 10-second ticks
            if step == 180:  # half an hour in: listening again, but answering 500
                receiver.mode = "500"
                receiver.start()
            if step % 6 == 0:  # an unhandled alarm a minute reaches the robot
                case = new_case(world, step)
                notify_level("building", case)
                alarms.append(case.pk)
            if step % 60 == 30:  # a confirmed fire every ten minutes, to 119 and the robot
                case = new_case(world, 10_000 + step)
                enqueue_webhook("confirmed_fire", receiver.url("/119"), {"case": case.pk})
                notify_building_chain(
                    world.buildings["res_a1"],
                    f"Confirmed fire {case.pk}",
                    "",
                    case=case,
                    kind="confirmed_fire",
                    urgent=True,
                )
                fires.append(case.pk)
            assert deliver_pending() == 0
            send_reminders()
            clock.shift(TICK)
        assert receiver.received == [] and receiver.hits > 0
        assert not OutboxMessage.objects.exclude(state__in=["pending", "folded"]).exists()
        recovered_at = timezone.now()
        receiver.mode = "ok"
        while OutboxMessage.objects.filter(state="pending").exists():
            deliver_pending()
            send_reminders()
            clock.shift(TICK)
            assert timezone.now() - recovered_at <= timedelta(seconds=BACKOFF_MAX_S) + TICK
        # nothing more is sent once everything is through (reminders of unhandled alarms aside,
        # which this test does not acknowledge)
        assert deliver_pending() == 0
    receiver.stop()

    # the 119 centre: every confirmed fire exactly once, each with its dedupe id
    to_119 = [r for r in receiver.received if r.path == "/119"]
    assert sorted(r.body["case"] for r in to_119) == sorted(fires)
    ids = [r.headers["x-towerwatch-message"] for r in to_119]
    assert len(set(ids)) == len(ids) and all(str(r.body["message_id"]) in ids for r in to_119)

    # the robot: every fire alone, every unhandled alarm in exactly one delivered digest
    # (reminders of unacknowledged alarms are messages of their own, with their own ids)
    robot = [r for r in receiver.received if r.path == "/robot"]
    robot_ids = [int(r.headers["x-towerwatch-message"]) for r in robot]
    assert len(set(robot_ids)) == len(robot_ids)
    covered: Counter[int] = Counter()
    for m in OutboxMessage.objects.filter(pk__in=robot_ids):
        if m.kind == "digest":
            covered.update(i["message"] for i in m.payload["items"])
        else:
            covered[m.pk] += 1
    originals = OutboxMessage.objects.filter(
        channel="wecom", kind__in=["unhandled_fire", "confirmed_fire"]
    )
    assert {m.case_id for m in originals} == set(alarms) | set(fires)
    assert all(covered[m.pk] == 1 for m in originals)  # none lost, none twice
    assert not originals.filter(sent_at=None).exists()
    assert len(robot) < 20  # digests and the fires, not sixty-six messages and their reminders

    # every attempt logged, the backoff capped
    for m in OutboxMessage.objects.filter(attempts__gt=0):
        times = list(m.deliveries.order_by("at").values_list("at", flat=True))
        # a digest carries on the backoff of what it folded: it counts their attempts too
        assert len(times) == m.attempts if m.kind != "digest" else len(times) <= m.attempts
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert all(g <= BACKOFF_MAX_S + TICK.total_seconds() for g in gaps)
    assert DeliveryAttempt.objects.filter(ok=True).count() == len(receiver.received)
    fire_119 = OutboxMessage.objects.filter(kind="confirmed_fire", channel="webhook")
    assert max(m.attempts for m in fire_119) <= 14  # ~12 tries in an hour, then success


def test_a_receiver_that_answers_too_late_gets_the_message_again_with_the_same_id(
    world: World, settings
) -> None:
    """At-least-once: the receiver accepted it but its answer came after our timeout."""
    settings.TOWERWATCH_NOTIFY_TIMEOUT_S = 0.3
    receiver = HttpReceiver(mode="slow", delay=1.0).start()
    try:
        message = enqueue_webhook("confirmed_fire", receiver.url("/119"), {"case": 1})
        assert deliver_pending() == 0  # timed out
        receiver.mode = "ok"
        assert deliver_pending(now=timezone.now() + timedelta(seconds=6)) == 1
        ids = [r.headers["x-towerwatch-message"] for r in receiver.received]
        assert ids == [str(message.pk)] * 2  # the same dedupe id: the receiver can drop it
    finally:
        receiver.stop()
