"""The MQTT broker restarted mid-stream: ingestion resumes and no QoS 1 message is lost.

A private Mosquitto (not the shared one on 1883) on an unused port, with persistence in a
temporary directory; the TowerWatch subscriber (persistent session, shared subscription, PUBACK
after commit) and a publisher with a persistent session of its own. Half-way through the
stream the broker is stopped and started again on the same port and persistence file. The
publisher resends whatever the broker did not acknowledge (same message id). Afterwards every
message is stored exactly once.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from towerwatch.monitoring.models import DeadLetter, Device, Event, ReceivedFrame
from towerwatch.monitoring.mqtt import Subscriber

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MESSAGES = 2000

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="mosquitto is not installed"),
]


class Broker:
    """A private Mosquitto process with persistence, restartable on the same port."""

    def __init__(self, directory: Path, port: int) -> None:
        self.port = port
        self.config = directory / "mosquitto.conf"
        self.config.write_text(
            f"listener {port} 127.0.0.1\n"
            "allow_anonymous true\n"
            # Started as root, Mosquitto would switch to its own user and could not write
            # its persistence file here (then nothing survives the restart).
            "user root\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "autosave_interval 1\n"
            "max_queued_messages 0\n"  # no limit: nothing queued for a session is dropped
            f"log_dest file {directory}/mosquitto.log\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("mosquitto did not start")

    def stop(self) -> None:
        """Stop the broker as a restart does (SIGTERM: it writes its persistence file)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(10)


@pytest.fixture
def broker(tmp_path: Path, unused_port: int) -> Iterator[Broker]:
    b = Broker(tmp_path, unused_port)
    b.start()
    yield b
    if b.process is not None and b.process.poll() is None:
        b.process.kill()
        b.process.wait(5)


def test_broker_restart_mid_stream_loses_nothing_and_stores_once(broker: Broker) -> None:
    prefix = f"rel-{uuid.uuid4().hex[:10]}/v1"
    Device.objects.create(kind="iot_sensor", address="pressure-7")
    topic = f"{prefix}/devices/pressure-7/events"
    subscriber = Subscriber(
        "127.0.0.1",
        broker.port,
        client_id=f"tw-rel-{uuid.uuid4().hex[:8]}",
        prefix=prefix,
        group="rel",
    )
    subscriber.start()
    publisher = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"pub-rel-{uuid.uuid4().hex[:8]}",
        clean_session=False,
        protocol=mqtt.MQTTv311,
    )
    publisher.reconnect_delay_set(min_delay=0.1, max_delay=1)
    publisher.max_queued_messages_set(0)
    publisher.connect("127.0.0.1", broker.port)
    publisher.loop_start()
    try:
        time.sleep(0.5)  # the subscriber's session and subscription exist
        sent: dict[int, mqtt.MQTTMessageInfo] = {}
        half = threading.Event()

        def publish_all() -> None:
            for i in range(MESSAGES):
                sent[i] = publisher.publish(topic, _payload(i), qos=1)
                if i == MESSAGES // 2:
                    half.set()
                time.sleep(0.001)

        thread = threading.Thread(target=publish_all, daemon=True)
        thread.start()
        assert half.wait(30)
        broker.stop()  # mid-stream
        published_while_down = len(sent)
        time.sleep(0.5)
        broker.start()
        thread.join(60)
        assert MESSAGES // 2 <= published_while_down < MESSAGES  # really mid-stream

        # The publisher resends what the broker never acknowledged (QoS 1, same message id).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            unacknowledged = [i for i, info in sent.items() if not _acknowledged(info)]
            if not unacknowledged:
                break
            time.sleep(1)
            for i in unacknowledged:
                if not _acknowledged(sent[i]):
                    sent[i] = publisher.publish(topic, _payload(i), qos=1)
        assert all(_acknowledged(info) for info in sent.values())

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Event.objects.count() < MESSAGES:
            time.sleep(0.2)
        time.sleep(1)  # anything redelivered late is processed too
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        subscriber.stop()

    values = sorted(int(v) for v in Event.objects.values_list("value", flat=True))
    assert values == list(range(MESSAGES))  # every message, each exactly once
    assert ReceivedFrame.objects.count() == MESSAGES
    assert not DeadLetter.objects.exists()


def _acknowledged(info: mqtt.MQTTMessageInfo) -> bool:
    """Whether the broker acknowledged the message (PUBACK); False if it was never sent."""
    try:
        return info.is_published()
    except (RuntimeError, ValueError):  # published while the broker was down
        return False


def _payload(i: int) -> bytes:
    return json.dumps(
        {"message_id": f"m-{i}", "signals": [{"point": "outlet-3", "kind": "analog", "value": i}]}
    ).encode()
