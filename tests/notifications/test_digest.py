"""Alarm storms: the first message goes at once, the rest as one digest per window; a per-address
rate limit; confirmed fires never wait. Time is moved with time-machine."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.notifications.actions import notify_building_chain, notify_level
from towerwatch.notifications.models import OutboxMessage
from towerwatch.notifications.outbox import deliver_pending

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.TOWERWATCH_NOTIFY_DIGEST_WINDOW_S = 60
    settings.TOWERWATCH_NOTIFY_RATE_PER_MINUTE = 10


def contents(http) -> list[str]:
    return [r.body["markdown"]["content"] for r in http.received]


def test_an_alarm_storm_sends_the_first_alarm_then_one_digest(
    world: World, http, endpoint, make_case, clock
) -> None:
    endpoint("town_a", url=http.url())
    notify_level("town", make_case("res_a1"))
    assert deliver_pending() == 1  # the first message is never delayed
    for n in range(30):
        clock.shift(timedelta(seconds=1))
        notify_level("town", make_case("res_a1" if n < 20 else "school_a2"))
        assert deliver_pending() == 0  # inside the window: held
    clock.shift(timedelta(seconds=29))  # t0 + 59 s
    assert deliver_pending() == 0 and len(http.received) == 1
    clock.shift(timedelta(seconds=2))  # the window is over
    assert deliver_pending() == 1
    digest = contents(http)[1]
    assert "30" in digest and "滨江花园1栋 (20)" in digest and "江津中学教学楼 (10)" in digest
    folded = OutboxMessage.objects.filter(state="folded")
    assert folded.count() == 30 and folded.filter(sent_at__isnull=False).count() == 30
    d = OutboxMessage.objects.get(kind="digest")
    assert d.state == "sent" and len(d.payload["items"]) == 30
    assert deliver_pending() == 0 and len(http.received) == 2


def test_a_confirmed_fire_is_not_held_by_the_digest_window(
    world: World, http, endpoint, make_case, clock
) -> None:
    endpoint("property", url=http.url())
    notify_level("building", make_case())
    assert deliver_pending() == 1
    clock.shift(timedelta(seconds=5))
    notify_level("building", make_case())  # held for the digest
    fire = make_case()
    notify_building_chain(
        world.buildings["res_a1"],
        "Confirmed fire",
        fire.get_absolute_url(),
        case=fire,
        kind="confirmed_fire",
        urgent=True,
    )
    assert deliver_pending() == 1  # the fire, at once
    assert "Confirmed fire" in contents(http)[1]
    assert OutboxMessage.objects.get(kind="unhandled_fire", sent_at=None).state == "pending"
    clock.shift(timedelta(seconds=61))
    assert deliver_pending() == 1 and len(http.received) == 3


def test_the_rate_limit_holds_an_address_after_n_messages_a_minute(
    world: World, http, endpoint, make_case, clock, settings
) -> None:
    settings.TOWERWATCH_NOTIFY_DIGEST_WINDOW_S = 0  # no digest window: only the rate limit
    settings.TOWERWATCH_NOTIFY_RATE_PER_MINUTE = 3
    endpoint("property", url=http.url())
    for _ in range(3):
        notify_level("building", make_case())
        assert deliver_pending() == 1
        clock.shift(timedelta(seconds=1))
    notify_level("building", make_case())
    notify_level("building", make_case())
    assert deliver_pending() == 0  # budget spent
    fire = make_case()
    notify_building_chain(
        world.buildings["res_a1"],
        "Confirmed fire",
        "",
        case=fire,
        kind="confirmed_fire",
        urgent=True,
    )
    assert deliver_pending() == 1  # a fire is never held by the rate limit
    clock.shift(timedelta(seconds=58))  # the minute since the first message is over
    assert deliver_pending() == 1  # the two held messages, as one digest
    assert len(http.received) == 5
    assert OutboxMessage.objects.get(kind="digest").payload["items"][1]["case"]


def test_each_address_has_its_own_window(world: World, http, endpoint, make_case, clock) -> None:
    endpoint("property", url=http.url("/property"))
    endpoint("owner", url=http.url("/owner"))
    notify_level("building", make_case())
    assert deliver_pending() == 2
    assert sorted(r.path for r in http.received) == ["/owner", "/property"]


def test_machine_webhooks_are_never_folded(world: World, http, clock) -> None:
    from towerwatch.notifications.outbox import enqueue_webhook

    for n in range(5):
        enqueue_webhook("confirmed_fire", http.url("/119"), {"n": n})
    assert deliver_pending() == 5
    assert sorted(r.body["n"] for r in http.received) == [0, 1, 2, 3, 4]
    assert not OutboxMessage.objects.filter(kind="digest").exists()
