"""The outbox against a real local HTTP receiver: forwarding a confirmed fire, retries, the log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import AlarmCase, Device
from towerwatch.notifications.models import DeliveryAttempt, Notification, OutboxMessage
from towerwatch.notifications.outbox import deliver_pending, enqueue_webhook

from ..monitoring.test_pages import receive

pytestmark = pytest.mark.django_db


class Receiver:
    """A 119-centre stand-in on 127.0.0.1 that can be told to fail."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.failing = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.failing:
                    self.send_response(503)
                else:
                    outer.bodies.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alarms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def test_confirmed_fire_is_forwarded_and_the_chain_told(
    world: World, login, receiver: Receiver, settings
) -> None:
    settings.TOWERWATCH_FIRE_WEBHOOK_URL = receiver.url
    Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    receive("aabbccddeeff", 1, status=0x0002)
    case = AlarmCase.objects.get()
    login("operator").post(
        reverse("monitoring:case_handle", args=[case.pk]), {"state": "confirmed_fire"}
    )
    assert deliver_pending() == 1
    body = receiver.bodies[0]
    assert (
        body["event"] == "confirmed_fire"
        and body["building"]["code"] == world.buildings["res_a1"].code
    )
    assert body["description"] == "五楼手报" and body["confirmed_by"]
    # in-app: the property company, the owner and the town government of the building
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert {"property", "owner", "town_a", "grid_a2"} <= told and "town_b" not in told
    assert deliver_pending() == 0  # delivered once


def test_a_receiver_down_gets_everything_once_when_back(receiver: Receiver) -> None:
    receiver.failing = True
    for n in range(3):
        enqueue_webhook("test", receiver.url, {"n": n})
    now = timezone.now()
    assert deliver_pending(now=now) == 0
    assert OutboxMessage.objects.filter(sent_at=None, attempts=1).count() == 3
    assert deliver_pending(now=now + timedelta(seconds=1)) == 0  # backing off: nothing due
    assert DeliveryAttempt.objects.filter(ok=False, status=503).count() == 3
    receiver.failing = False
    assert deliver_pending(now=now + timedelta(hours=1)) == 3
    assert sorted(b["n"] for b in receiver.bodies) == [0, 1, 2]
    assert deliver_pending(now=now + timedelta(hours=2)) == 0
    assert DeliveryAttempt.objects.filter(ok=True).count() == 3


def test_an_unreachable_receiver_is_logged_and_retried() -> None:
    message = enqueue_webhook("test", "http://127.0.0.1:9/nothing-listens-here", {"n": 1})
    assert deliver_pending() == 0
    message.refresh_from_db()
    assert message.attempts == 1 and message.last_error and message.next_attempt_at > timezone.now()


def test_inbox_shows_own_notifications_and_marks_them_read(world: World, login) -> None:
    Notification.objects.create(
        user=world.users["property"], text="确认火警：滨江花园1栋", url="/x/"
    )
    Notification.objects.create(user=world.users["town_b"], text="别人的通知")
    client = login("property")
    assert 'id="tw-unread">1<' in client.get(reverse("buildings:building_list")).content.decode()
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "确认火警：滨江花园1栋" in page and "别人的通知" not in page
    assert not Notification.objects.filter(user=world.users["property"], read_at=None).exists()
