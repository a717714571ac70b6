"""MQTT ingestion: QoS 1, persistent session, shared subscription, PUBACK only after commit.

Topic ``<prefix>/devices/<device id>/events`` (prefix ``towerwatch/v1`` by default); payload,
UTF-8 JSON::

    {"message_id": "b1c2…",                 # required: a resend with the same id is stored once
     "at": "2026-11-29T10:00:00+08:00",      # optional, default: when it arrived
     "signals": [{"point": "cable-temp-3",   # required: the sensor's point id
                  "kind": "analog",          # fire_alarm, fault, restore, supervisory, … or analog
                  "value": 61.5, "unit": "°C",
                  "description": "3F 配电间 电缆温度"}]}

Several workers share the load through ``$share/<group>/…``. Each keeps a persistent session
(clean_session off) and acknowledges manually: the broker keeps resending what was not
acknowledged, so a crash between receipt and commit loses nothing. A message that cannot be
ingested (bad JSON, unknown device, a bad field) goes to `DeadLetter` with the reason and is
acknowledged: it will never become valid by being resent.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .choices import CaseState, DeviceKind, EventKind
from .ingest import fingerprint, update_cases
from .jobs import resolve_offline
from .models import AlarmCase, DeadLetter, Device, Event, ReceivedFrame, Threshold

log = logging.getLogger("towerwatch.mqtt")
#: What a device may report (the centre derives out-of-range, offline and duty signals itself).
SIGNAL_KINDS = {
    EventKind.ANALOG,
    EventKind.FIRE_ALARM,
    EventKind.FAULT,
    EventKind.RESTORE,
    EventKind.DISABLED,
    EventKind.SUPERVISORY,
    EventKind.STARTED,
    EventKind.FEEDBACK,
    EventKind.POWER_FAULT,
    EventKind.OPERATION,
}


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    received_at: datetime
    mid: int = 0
    qos: int = 1


class Rejected(ValueError):
    """The message cannot be ingested; the text is the dead letter's reason."""


def parse(message: Message) -> tuple[str, str, datetime, list[dict[str, Any]]]:
    """(device id, message id, time, signals) or `Rejected` naming what is wrong."""
    parts = message.topic.split("/")
    if len(parts) < 3 or parts[-1] != "events" or parts[-3] != "devices" or not parts[-2]:
        raise Rejected("topic must be <prefix>/devices/<device id>/events")
    try:
        body = json.loads(message.payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Rejected(f"payload is not UTF-8 JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Rejected("payload must be a JSON object")
    message_id = body.get("message_id")
    if not isinstance(message_id, str) or not message_id.strip():
        raise Rejected("message_id: required, a non-empty string")
    at = message.received_at
    if body.get("at") is not None:
        parsed = parse_datetime(str(body["at"]))
        if parsed is None or parsed.tzinfo is None:
            raise Rejected("at: must be an ISO 8601 time with its UTC offset")
        at = parsed
    signals = body.get("signals")
    if not isinstance(signals, list) or not signals:
        raise Rejected("signals: required, a non-empty list")
    for i, signal in enumerate(signals):
        if (
            not isinstance(signal, dict)
            or not isinstance(signal.get("point"), str)
            or not signal["point"]
        ):
            raise Rejected(f"signals[{i}].point: required, a string")
        if signal.get("kind") not in SIGNAL_KINDS:
            raise Rejected(f"signals[{i}].kind: one of {', '.join(sorted(SIGNAL_KINDS))}")
        value = signal.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise Rejected(f"signals[{i}].value: must be a number")
    return parts[-2], message_id, at, signals


@transaction.atomic
def store_messages(batch: Sequence[Message]) -> None:
    """Store a batch of MQTT messages in one transaction (events, cases, dead letters)."""
    parsed: list[tuple[Message, str, str, datetime, list[dict[str, Any]]]] = []
    dead: list[DeadLetter] = []
    for message in batch:
        try:
            parsed.append((message, *parse(message)))
        except Rejected as exc:
            dead.append(_dead(message, str(exc)))
    devices = {
        d.address: d
        for d in Device.objects.filter(
            kind=DeviceKind.IOT_SENSOR, address__in={p[1] for p in parsed}
        )
    }
    events: list[Event] = []
    limits = {
        (t.device_id, t.point): t
        for t in Threshold.objects.filter(device__in=list(devices.values()))
    }
    out_of_range = set(
        AlarmCase.objects.filter(
            device__in=list(devices.values()), kind=EventKind.OUT_OF_RANGE, state=CaseState.OPEN
        ).values_list("device_id", "component_address")
    )
    for message, device_id, message_id, at, signals in parsed:
        device = devices.get(device_id)
        if device is None:
            dead.append(_dead(message, f"unknown device {device_id!r}: register it first"))
            continue
        fp = fingerprint(f"{device_id}\n{message_id}".encode())
        if ReceivedFrame.objects.filter(device=device, fingerprint=fp).exists():
            continue  # a resend of a message already stored
        frame = ReceivedFrame.objects.create(
            device=device,
            received_at=message.received_at,
            sent_at=at,
            serial=0,
            command=0,
            raw=message.payload,
            fingerprint=fp,
            decoded=json.loads(message.payload),
        )
        events.extend(_event(device, frame, at, s) for s in signals)
        events.extend(_judged(device, frame, at, signals, limits, out_of_range))
    Event.objects.bulk_create(events, batch_size=1000)
    update_cases(events)
    DeadLetter.objects.bulk_create(dead)
    if devices:
        seen = max(m.received_at for m in batch)
        Device.objects.filter(pk__in=[d.pk for d in devices.values()]).update(last_seen=seen)
        resolve_offline([d.pk for d in devices.values()], seen)


def _judged(
    device: Device,
    frame: ReceivedFrame,
    at: datetime,
    signals: list[dict[str, Any]],
    limits: dict[tuple[int, str], Threshold],
    open_cases: set[tuple[int, str]],
) -> list[Event]:
    """Readings of points with a threshold: out of range is a signal; back in range restores the
    point, recorded only when it was out (no restore per ordinary reading)."""
    judged = []
    for signal in signals:
        limit = limits.get((device.pk, signal["point"]))
        if signal["kind"] != EventKind.ANALOG or limit is None or signal.get("value") is None:
            continue
        kind = limit.judge(float(signal["value"]))
        if kind == EventKind.OUT_OF_RANGE or (device.pk, signal["point"]) in open_cases:
            judged.append(_event(device, frame, at, {**signal, "kind": kind}))
    return judged


def _event(device: Device, frame: ReceivedFrame, at: datetime, signal: dict[str, Any]) -> Event:
    return Event(
        device=device,
        building_id=device.building_id,
        frame=frame,
        at=at,
        kind=signal["kind"],
        component_address=signal["point"][:64],
        value=signal.get("value"),
        unit=str(signal.get("unit") or "")[:16],
        description=str(signal.get("description") or "")[:64],
    )


def _dead(message: Message, reason: str) -> DeadLetter:
    return DeadLetter(
        received_at=message.received_at,
        source="mqtt",
        topic=message.topic[:200],
        payload=message.payload,
        reason=reason[:300],
    )


class Subscriber:
    """A paho-mqtt client and a writer thread: receive, batch, commit, then acknowledge."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 1883,
        *,
        client_id: str,
        prefix: str = "towerwatch/v1",
        group: str = "towerwatch",
        batch_interval: float = 0.05,
        max_batch: int = 1000,
    ) -> None:
        self.topic = f"$share/{group}/{prefix}/devices/+/events"
        self.host, self.port = host, port
        self.batch_interval, self.max_batch = batch_interval, max_batch
        self._queue: queue.Queue[Message] = queue.Queue()
        self._stop = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        # A restarted broker is back within seconds: retry soon, not after up to 2 minutes.
        self.client.reconnect_delay_set(min_delay=0.2, max_delay=5)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self._writer = threading.Thread(target=self._write_loop, name="mqtt-writer", daemon=True)

    def start(self) -> None:
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        self._writer.start()

    def stop(self) -> None:
        self._stop.set()
        self._writer.join(5)
        self.client.loop_stop()
        self.client.disconnect()

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        # Re-subscribe on every (re)connect: a restarted broker may have lost the subscription.
        client.subscribe(self.topic, qos=1)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self._queue.put(Message(msg.topic, bytes(msg.payload), timezone.now(), msg.mid, msg.qos))

    def _write_loop(self) -> None:
        while not self._stop.is_set():
            try:
                batch = [self._queue.get(timeout=0.2)]
            except queue.Empty:
                continue
            deadline = time.monotonic() + self.batch_interval
            while len(batch) < self.max_batch and time.monotonic() < deadline:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            try:
                close_old_connections()
                store_messages(batch)
            except Exception:
                # Not committed, not acknowledged: the broker redelivers after a reconnect.
                log.exception("storing %d MQTT messages failed; not acknowledged", len(batch))
                self.client.reconnect()  # the persistent session makes the broker redeliver them
                continue
            for message in batch:
                if message.qos:
                    self.client.ack(message.mid, message.qos)
        connections.close_all()
