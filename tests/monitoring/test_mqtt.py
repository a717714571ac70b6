"""MQTT ingestion against the real Mosquitto broker (CI starts it on 127.0.0.1:1883)."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest

from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import AlarmCase, DeadLetter, Device, Event
from towerwatch.monitoring.mqtt import Message, Rejected, Subscriber, parse

BROKER = ("127.0.0.1", 1883)


def _broker_up() -> bool:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        return False
    return True


needs_broker = pytest.mark.skipif(
    not _broker_up() and os.environ.get("CI") != "true", reason="no MQTT broker on 127.0.0.1:1883"
)


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}/v1"


@pytest.fixture
def subscriber(prefix: str) -> Iterator[Subscriber]:
    sub = Subscriber(
        *BROKER,
        client_id=f"tw-test-{uuid.uuid4().hex[:8]}",
        prefix=prefix,
        group=f"g{uuid.uuid4().hex[:8]}",
    )
    sub.start()
    time.sleep(0.5)  # subscribed
    yield sub
    sub.stop()


def publish(topic: str, payload: object) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    client.connect(*BROKER)
    client.loop_start()
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    client.publish(topic, body, qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def wait_for(check, seconds: float = 8.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for ingestion")


SIGNAL = {
    "point": "cable-temp-3",
    "kind": "analog",
    "value": 61.5,
    "unit": "°C",
    "description": "3F 配电间",
}


@needs_broker
@pytest.mark.django_db(transaction=True)
def test_messages_are_stored_once_dead_letters_kept(
    world: World, subscriber: Subscriber, prefix: str
) -> None:
    Device.objects.create(kind="iot_sensor", address="efm-001", building=world.buildings["res_a1"])
    topic = f"{prefix}/devices/efm-001/events"
    message = {
        "message_id": "m-1",
        "signals": [SIGNAL, {"point": "smoke-12", "kind": "fire_alarm"}],
    }
    publish(topic, message)
    publish(topic, message)  # a resend
    publish(f"{prefix}/devices/unknown-9/events", message)
    publish(topic, b"{not json")
    wait_for(lambda: DeadLetter.objects.count() == 2 and Event.objects.count() == 2)
    time.sleep(0.5)  # the resend has been processed too
    reading = Event.objects.get(kind="analog")
    assert (reading.value, reading.unit, reading.building) == (
        61.5,
        "°C",
        world.buildings["res_a1"],
    )
    assert Event.objects.count() == 2  # stored once
    assert AlarmCase.objects.get().kind == "fire_alarm"
    reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
    assert any("unknown device" in r for r in reasons) and any("JSON" in r for r in reasons)


@pytest.mark.parametrize(
    ("topic", "payload", "field"),
    [
        ("p/devices/d/events", {"signals": [SIGNAL]}, "message_id"),
        ("p/devices/d/events", {"message_id": "x", "signals": []}, "signals"),
        (
            "p/devices/d/events",
            {"message_id": "x", "signals": [{**SIGNAL, "kind": "party"}]},
            "signals[0].kind",
        ),
        (
            "p/devices/d/events",
            {"message_id": "x", "signals": [{**SIGNAL, "value": "hot"}]},
            "signals[0].value",
        ),
        ("p/devices/d/events", {"message_id": "x", "at": "yesterday", "signals": [SIGNAL]}, "at"),
        ("p/devices/d/status", {"message_id": "x", "signals": [SIGNAL]}, "topic"),
    ],
)
def test_bad_messages_name_what_is_wrong(topic: str, payload: dict, field: str) -> None:
    from django.utils import timezone

    with pytest.raises(Rejected) as exc:
        parse(Message(topic, json.dumps(payload).encode(), timezone.now()))
    assert str(exc.value).startswith(field)
