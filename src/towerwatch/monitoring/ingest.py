"""Store what devices send, set-based, in one transaction per batch (architecture §5).

`store_frames` is the only writer of the ingest path: it is called from the GB/T 26875.3
server's writer thread with a batch of frames and returns only after the transaction has
committed, so the server confirms (确认) nothing that is not durably stored.

The per-frame loop builds plain tuples once; every table gets one statement per batch
(`fastsql`: executemany on SQLite, COPY on PostgreSQL). Devices come from an in-memory cache
keyed by address; a resent frame is recognised by its fingerprint and stored once; only
signals that can change a case (fire alarm, fault, …, restore) reach case evaluation.
"""

from __future__ import annotations

import binascii
import dataclasses
import hashlib
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import stream
from .choices import (
    AUTO_RESOLVED_KINDS,
    CASE_KINDS,
    CaseState,
    DeviceKind,
    DeviceProfile,
    EventKind,
)
from .duty import record_answers
from .fastsql import RawTable, Sql
from .gb26875 import Adu, Frame, RawAdu, decode_adu, frame_to_dict
from .gb26875.adu import (
    COMPONENT_STATUS_FLAGS,
    DEVICE_STATUS_FLAGS,
    SYSTEM_STATUS_FLAGS,
    ComponentStatus,
    DeviceOperation,
    DeviceStatus,
    SystemOperation,
    SystemStatus,
)
from .gb26875.frame import DEFAULT_PROFILE, START, FrameError, Profile, TimeLabel, decode_frame
from .jobs import resolve_offline
from .models import AlarmCase, AlarmFlip, Device, Event, ReceivedFrame

#: Status flags that are signals in their own right (GB/T 26875.3 Figs. 6, 7, 13).
STATUS_EVENTS = {
    "fire_alarm": EventKind.FIRE_ALARM,
    "fault": EventKind.FAULT,
    "disabled": EventKind.DISABLED,
    "supervisory": EventKind.SUPERVISORY,
    "started": EventKind.STARTED,
    "feedback": EventKind.FEEDBACK,
    "power_fault": EventKind.POWER_FAULT,
    "main_power_fault": EventKind.POWER_FAULT,
    "backup_power_fault": EventKind.POWER_FAULT,
}


#: 查岗应答: bit 5 of a UITD's operation byte (GB/T 26875.3 Fig. 14).
DUTY_ANSWER_BIT = 1 << 5

#: How long a cached device (id, building) is trusted before it is read again.
DEVICE_CACHE_TTL = 2.0

#: How stale a device's last_seen may be: a device that sends several frames a second has its
#: row written every 5 seconds, not once per batch (offline detection works in minutes).
LAST_SEEN_RESOLUTION = timedelta(seconds=5)


class Incoming:
    """One frame from one device, as the server read it (one per frame: a plain slotted class)."""

    __slots__ = ("_adu", "address", "frame", "profile", "raw", "received_at")

    def __init__(
        self, frame: Frame, raw: bytes, received_at: datetime, profile: Profile = DEFAULT_PROFILE
    ) -> None:
        self.frame = frame
        self.raw = raw
        self.received_at = received_at
        self.profile = profile
        self.address = frame.source.hex()
        self._adu: Adu | RawAdu | Exception | object | None = _UNDECODED

    @property
    def is_heartbeat(self) -> bool:
        """An empty ADU: it only proves the device is alive (refreshes `last_seen`)."""
        return not self.frame.adu

    @property
    def adu(self) -> Adu | RawAdu | Exception | None:
        """The ADU, decoded on first use with this frame's profile (or the error)."""
        adu = self._adu
        if adu is _UNDECODED:
            try:
                adu = decode_adu(self.frame.adu, profile=self.profile)
            except Exception as exc:  # kept raw in the frame row; no signal to derive
                adu = exc
            self._adu = adu
        return adu  # type: ignore[return-value]

    def for_device(self, name: str) -> Incoming:
        """This frame read with the profile its device is registered with (`DeviceProfile`).

        The device's profile decides how time labels (BCD or binary) and 16-bit status words
        (byte order) are read; the framing (binary or ASCII hex) stays the connection's. The
        frame's own time label is read again from the wire bytes. ``self`` when nothing differs.
        """
        profile = _device_profile(self.profile, name)
        if profile is self.profile:
            return self
        frame = self.frame
        if profile.bcd_time != self.profile.bcd_time:
            label = TimeLabel.decode(_wire_time_label(self.raw), bcd=profile.bcd_time)
            frame = dataclasses.replace(frame, sent_at=label)
        return Incoming(frame, self.raw, self.received_at, profile)


_DERIVED: dict[tuple[Profile, str], Profile] = {}


def _device_profile(base: Profile, name: str) -> Profile:
    """``base`` (the server's) with the time-label and status-word options of profile ``name``."""
    key = (base, name)
    derived = _DERIVED.get(key)
    if derived is None:
        bcd = name == DeviceProfile.BCD_TIME
        big_endian = name == DeviceProfile.BIG_ENDIAN_STATUS
        if (base.bcd_time, base.big_endian_status) == (bcd, big_endian):
            derived = base
        else:
            derived = dataclasses.replace(
                base, name=str(name), bcd_time=bcd, big_endian_status=big_endian
            )
        if len(_DERIVED) < 64:
            _DERIVED[key] = derived
    return derived


def _wire_time_label(raw: bytes) -> bytes:
    """Bytes 7–12 of a stored frame: binary, or ASCII hex (its characters 13–24)."""
    if raw[:2] == START:
        return raw[6:12]
    return binascii.a2b_hex(raw[12:24])


_UNDECODED = object()


class Signal(NamedTuple):
    """What case evaluation needs of one stored event."""

    event_id: int
    device_id: int
    building_id: int | None
    component_address: str
    kind: str
    at: datetime
    description: str


def fingerprint(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


# -- the device cache --------------------------------------------------------------------------


class _DeviceCache:
    """address → (device id, building id, protocol profile, loaded at), for UITDs.

    Safe against changes made elsewhere: entries older than `DEVICE_CACHE_TTL` are read again;
    unbound devices are read again in every batch, under a row lock on PostgreSQL, so a device
    bound meanwhile never gets events without its building (binding backfills only what was
    committed before it); a save or delete in this process drops the entry (so a profile
    changed on the device page applies from the next batch); and a batch that
    fails on a foreign key (a device deleted meanwhile) is retried with an empty cache.
    """

    def __init__(self) -> None:
        self.entries: dict[str, tuple[int, int | None, str, float]] = {}
        self.seen: dict[int, datetime] = {}  # device id → the last_seen last committed
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.seen.clear()

    def last_seen_due(self, device_ids: Sequence[int], seen: datetime) -> list[int]:
        """The devices whose committed last_seen is `LAST_SEEN_RESOLUTION` or more before
        ``seen`` (a busy device's row is not rewritten in every batch)."""
        written = self.seen
        return [
            pk
            for pk in device_ids
            if (last := written.get(pk)) is None or seen - last >= LAST_SEEN_RESOLUTION
        ]

    def last_seen_written(self, device_ids: Sequence[int], seen: datetime) -> None:
        with self.lock:
            if len(self.seen) > 1_000_000:
                self.seen.clear()
            for pk in device_ids:
                self.seen[pk] = seen

    def drop(self, address: str) -> None:
        with self.lock:
            self.entries.pop(address, None)

    def resolve(
        self, sql: Sql, addresses: set[str], seen: datetime
    ) -> dict[str, tuple[int, Any, str]]:
        now = time.monotonic()
        entries = self.entries
        found: dict[str, tuple[int, Any, str]] = {}
        stale: list[str] = []
        for address in addresses:
            entry = entries.get(address)
            if entry is None or entry[1] is None or now - entry[3] > DEVICE_CACHE_TTL:
                stale.append(address)
            else:
                found[address] = entry[:3]
        if stale:
            rows = _read_devices(sql, stale)
            missing = [a for a in stale if a not in rows]
            if missing:
                # Nothing a device sends is dropped: an unknown device waits, unbound, for an
                # operator (the unregistered queue).
                Device.objects.bulk_create(
                    [Device(kind=DeviceKind.UITD, address=a, first_seen=seen) for a in missing],
                    ignore_conflicts=True,
                )
                rows.update(_read_devices(sql, missing))
            with self.lock:
                for address, (pk, building, profile) in rows.items():
                    entries[address] = (pk, building, profile, now)
            found.update(rows)
        return found


def _read_devices(sql: Sql, addresses: list[str]) -> dict[str, tuple[int, Any, str]]:
    table = Device._meta.db_table
    out: dict[str, tuple[int, Any, str]] = {}
    condition, param = sql.any_of("address", addresses, "varchar")
    rows = sql.execute(
        f'SELECT address, id, building_id, profile FROM "{table}" WHERE kind = %s AND {condition}',
        [DeviceKind.UITD, param],
    )
    unbound = [pk for _a, pk, building, _p in rows if building is None]
    if unbound and sql.postgres:
        # Lock unbound rows: a concurrent bind waits for this batch, then backfills its rows.
        condition, param = sql.any_of("id", unbound)
        bound_now = dict(
            sql.execute(
                f'SELECT id, building_id FROM "{table}" WHERE {condition} FOR UPDATE', [param]
            )
        )
        rows = [(a, pk, bound_now.get(pk, b), p) for a, pk, b, p in rows]
    for address, pk, building, profile in rows:
        out[address] = (pk, building, profile)
    return out


DEVICES = _DeviceCache()


def clear_device_cache() -> None:
    DEVICES.clear()


def _forget_device(sender: Any, instance: Device, **kwargs: Any) -> None:
    DEVICES.drop(instance.address)


post_save.connect(_forget_device, sender=Device, dispatch_uid="ingest-device-cache-save")
post_delete.connect(_forget_device, sender=Device, dispatch_uid="ingest-device-cache-delete")


# -- tables ------------------------------------------------------------------------------------

FRAMES = RawTable(
    ReceivedFrame,
    (
        "id",
        "device_id",
        "received_at",
        "sent_at",
        "serial",
        "command",
        "adu_type",
        "raw",
        "fingerprint",
        "profile",
    ),
)
EVENTS = RawTable(
    Event,
    (
        "id",
        "device_id",
        "building_id",
        "frame_id",
        "at",
        "kind",
        "system_type",
        "system_address",
        "component_type",
        "component_address",
        "status",
        "value",
        "unit",
        "description",
    ),
)
CASES = RawTable(
    AlarmCase,
    (
        "id",
        "device_id",
        "building_id",
        "kind",
        "component_address",
        "description",
        "state",
        "opened_at",
        "first_event_id",
        "last_event_at",
        "event_count",
        "escalation_level",
        "closed_at",
    ),
)
FLIPS = RawTable(AlarmFlip, ("case_id", "at", "old_state", "new_state", "actor_id", "note"))


# -- storing -----------------------------------------------------------------------------------


def store_frames(batch: Sequence[Incoming]) -> None:
    """Store a batch: devices (unknown ones created unbound), frames once each, their events.

    Returns after the commit. A batch that fails on a foreign key (a cached device deleted
    meanwhile) or finds a cached device gone is retried once with the device cache emptied.
    """
    if not batch:
        return
    try:
        _store_frames(batch)
    except (IntegrityError, StaleDeviceCache):
        DEVICES.clear()
        _store_frames(batch)


def _hold_devices(sql: Sql, devices: dict[str, tuple[int, Any, str]]) -> bool:
    """Whether every device of the batch exists, bound to the building the cache says,
    locked so until the commit (PostgreSQL: FOR SHARE, which also keeps the device from being
    bound elsewhere, so its building, referenced by a constraint, stays too; SQLite: the
    IMMEDIATE transaction holds the database's write lock from its start)."""
    expected = {pk: building for pk, building, _p in devices.values()}
    condition, param = sql.any_of("id", sorted(expected))
    lock = " FOR SHARE" if sql.postgres else ""
    rows = sql.execute(
        f'SELECT id, building_id FROM "{Device._meta.db_table}" WHERE {condition}{lock}', [param]
    )
    return len(rows) == len(expected) and all(expected[pk] == b for pk, b in rows)


class StaleDeviceCache(Exception):
    """A cached device was deleted or bound to another building meanwhile: the batch is rolled
    back and retried with the cache emptied."""


@transaction.atomic
def _store_frames(batch: Sequence[Incoming]) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    sql = Sql(connection)
    try:
        _store(sql, batch)
    finally:
        sql.close()


def _store(sql: Sql, batch: Sequence[Incoming]) -> None:
    received = [item.received_at for item in batch]
    first_seen, last_seen = min(received), max(received)
    devices = DEVICES.resolve(sql, {item.address for item in batch}, first_seen)
    device_ids = sorted({pk for pk, _b, _p in devices.values()})
    # The ingest tables have no foreign-key constraints (a deferred check per row costs more
    # than the rest of the batch on PostgreSQL): the batch's devices are proved to exist, still
    # bound to the cached buildings, and kept so until the commit, here, in one statement.
    if not _hold_devices(sql, devices):
        raise StaleDeviceCache("a cached device was deleted or bound elsewhere meanwhile")
    due = DEVICES.last_seen_due(device_ids, last_seen)
    if due:
        condition, param = sql.any_of("id", due)
        sql.execute(
            f'UPDATE "{Device._meta.db_table}" SET last_seen = %s WHERE {condition}',
            [sql.dt(last_seen), param],
        )
        transaction.on_commit(lambda: DEVICES.last_seen_written(due, last_seen))

    # Frames not stored before, each once (a resend has the same bytes, so the same fingerprint).
    candidates: list[tuple[Incoming, int, Any, str, str]] = []
    in_batch: set[tuple[int, str]] = set()
    for item in batch:
        if item.is_heartbeat:
            continue
        pk, building, profile = devices[item.address]
        fp = fingerprint(item.raw)
        if (pk, fp) in in_batch:
            continue
        in_batch.add((pk, fp))
        if profile != DeviceProfile.STANDARD or item.profile is not DEFAULT_PROFILE:
            # Before `adu` is first read: decoded once, with the device's profile.
            item = item.for_device(profile)
        candidates.append((item, pk, building, fp, profile))
    if candidates:
        stored = set(
            sql.lookup(
                [(pk, fp) for _i, pk, _b, fp, _p in candidates],
                ("bigint", "varchar"),
                FRAMES.name,
                "t.device_id, t.fingerprint",
                "t.device_id = k.c0 AND t.fingerprint = k.c1",
            )
        )
        if stored:
            candidates = [c for c in candidates if (c[1], c[3]) not in stored]

    frame_rows: list[tuple[Any, ...]] = []
    event_rows: list[list[Any]] = []
    signals: list[tuple[int, int, Any, str, str, datetime, str]] = []  # event index first
    answers: list[tuple[int, datetime]] = []
    dt = sql.dt
    for (item, pk, building, fp, profile), frame_id in zip(
        candidates, sql.reserve_ids(ReceivedFrame, len(candidates)), strict=True
    ):
        frame = item.frame
        adu = item.adu
        time_zone = item.profile.time_zone
        frame_rows.append(
            (
                frame_id,
                pk,
                dt(item.received_at),
                dt(frame.sent_at.to_datetime(time_zone)),
                frame.serial,
                frame.command,
                frame.adu[0],
                item.raw,
                fp,
                profile,  # its description is decoded from `raw` when shown (`describe_frame`)
            )
        )
        if not isinstance(adu, Adu):
            continue
        for obj in adu.objects:
            kinds = _kinds(obj)
            if not kinds:
                continue
            label = getattr(obj, "at", None)
            at = (label.to_datetime(time_zone) if label else None) or item.received_at
            address = getattr(obj, "component_address", b"").hex()
            description = getattr(obj, "description", "")[:64]
            status = getattr(obj, "status", None)
            if status is None:
                status = getattr(obj, "operation", None)
            for kind in kinds:
                if kind in _CASE_SIGNALS:
                    signals.append((len(event_rows), pk, building, address, kind, at, description))
                elif kind == EventKind.OPERATION and status is not None:
                    if status & DUTY_ANSWER_BIT:
                        answers.append((pk, at))
                event_rows.append(
                    [
                        0,  # the id, filled below
                        pk,
                        building,
                        frame_id,
                        dt(at),
                        kind,
                        getattr(obj, "system_type", None),
                        getattr(obj, "system_address", None),
                        getattr(obj, "component_type", None),
                        address,
                        status,
                        None,
                        "",
                        description,
                    ]
                )
    event_ids = sql.reserve_ids(Event, len(event_rows))
    for row, event_id in zip(event_rows, event_ids, strict=True):
        row[0] = event_id
    sql.insert(FRAMES, frame_rows)
    sql.insert(EVENTS, [tuple(row) for row in event_rows])
    evaluate_cases(sql, [Signal(event_ids[i], *rest) for i, *rest in signals], timezone.now())
    if answers:
        record_answers(answers)
    # A device that reports again closes its offline case; one indexed query finds the few.
    offline = [
        row[0]
        for row in sql.lookup(
            [(pk,) for pk in device_ids],
            ("bigint",),
            CASES.name,
            "t.device_id",
            # An offline case is the device's, not a point's (`jobs.check_offline`: address
            # ""), so the partial unique index of open cases answers it.
            f"t.device_id = k.c0 AND t.component_address = '' AND t.kind = '{EventKind.OFFLINE}'"
            f" AND t.state = '{CaseState.OPEN}'",
            distinct=True,
        )
    ]
    if offline:
        resolve_offline(offline, last_seen)


_CASE_SIGNALS = frozenset((*CASE_KINDS, EventKind.RESTORE))


def describe_frame(raw: bytes, profile: str) -> dict[str, Any]:
    """A stored GB/T 26875.3 frame as JSON (`frame_to_dict`), read with device profile
    ``profile``; ``raw`` as received (binary, or the ASCII-hex text of such a device)."""
    read_with = _device_profile(DEFAULT_PROFILE, profile)
    try:
        frame = decode_frame(raw if raw[:2] == START else binascii.a2b_hex(raw), profile=read_with)
    except (FrameError, ValueError) as exc:
        return {"error": str(exc), "raw": raw.hex()}
    try:
        adu = decode_adu(frame.adu, profile=read_with)
    except Exception as exc:  # stored as sent; a description says what is wrong with it
        return {"error": str(exc), "adu": frame.adu.hex()}
    return frame_to_dict(frame, profile=read_with, adu=adu)


def _status_kinds(names: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple(
        (1 << bit, STATUS_EVENTS[name]) for bit, name in enumerate(names) if name in STATUS_EVENTS
    )


_STATUS_BITS: dict[type, tuple[tuple[int, str], ...]] = {
    SystemStatus: _status_kinds(SYSTEM_STATUS_FLAGS),
    ComponentStatus: _status_kinds(COMPONENT_STATUS_FLAGS),
    DeviceStatus: _status_kinds(DEVICE_STATUS_FLAGS),
}
_KINDS: dict[tuple[type, int], list[str]] = {}


def _kinds(obj: Any) -> list[str]:
    """The normalized kinds one information object signals (memoised per class and word)."""
    cls = type(obj)
    bits = _STATUS_BITS.get(cls)
    if bits is not None:
        key = (cls, obj.status)
        kinds = _KINDS.get(key)
        if kinds is None:
            kinds = sorted({kind for mask, kind in bits if obj.status & mask})
            if not kinds and cls is not DeviceStatus:
                # Nothing abnormal reported: a status upload that clears the point (复位/恢复).
                kinds = [EventKind.RESTORE]
            if len(_KINDS) < 4096:
                _KINDS[key] = kinds
        return kinds
    if cls in (SystemOperation, DeviceOperation):
        return [EventKind.OPERATION] if obj.operation else []
    return []


# -- alarm cases -------------------------------------------------------------------------------


class _Case:
    __slots__ = (
        "added",
        "closed",
        "count",
        "first",
        "id",
        "key",
        "last",
        "new",
    )

    def __init__(self, pk: int, key: tuple[int, str, str], last: datetime | None) -> None:
        self.id = pk
        self.key = key
        self.new = False
        self.first: Signal | None = None
        self.count = 0
        self.added = 0
        self.last = last
        self.closed = False


def update_cases(events: Sequence[Event]) -> None:
    """Open, fold and close cases for stored `Event`s (the MQTT and HTTP paths)."""
    signals = [
        Signal(
            e.pk,
            e.device_id,
            e.building_id,
            e.component_address,
            e.kind,
            e.at,
            e.description,
        )
        for e in events
        if e.kind in _CASE_SIGNALS
    ]
    if not signals:
        return
    sql = Sql(connections[DEFAULT_DB_ALIAS])
    try:
        evaluate_cases(sql, signals, timezone.now())
    finally:
        sql.close()


def evaluate_cases(sql: Sql, signals: Sequence[Signal], now: datetime) -> None:
    """Open a case per new (device, point, kind) signal, fold repeats into the open case, and
    close fault-like cases when their point reports it is back to normal.

    Signals are applied in arrival order, so "fault, restore" closes the case and "restore,
    fault" leaves one open, even inside one batch. One query reads the open cases of every
    point concerned; new cases, folds and closes are one statement each.
    """
    if not signals:
        return
    dt = sql.dt
    points = list({(s.device_id, s.component_address) for s in signals})
    kinds = ", ".join(f"'{k}'" for k in CASE_KINDS)
    open_cases: dict[tuple[int, str, str], _Case] = {}
    for pk, device_id, address, kind, last in sql.lookup(
        points,
        ("bigint", "varchar"),
        CASES.name,
        "t.id, t.device_id, t.component_address, t.kind, t.last_event_at",
        "t.device_id = k.c0 AND t.component_address = k.c1"
        f" AND t.state = 'open' AND t.kind IN ({kinds})",
    ):
        key = (device_id, address, kind)
        open_cases[key] = _Case(pk, key, _as_datetime(last))
    new: list[_Case] = []
    folded: dict[int, _Case] = {}
    closing: list[_Case] = []
    for signal in signals:
        if signal.kind == EventKind.RESTORE:
            for kind in AUTO_RESOLVED_KINDS:
                case = open_cases.get((signal.device_id, signal.component_address, kind))
                if case is not None and not case.closed:
                    case.closed = True
                    del open_cases[case.key]
                    closing.append(case)
            continue
        key = (signal.device_id, signal.component_address, signal.kind)
        case = open_cases.get(key)
        if case is None:
            case = _Case(0, key, signal.at)
            case.new, case.first, case.count = True, signal, 1
            open_cases[key] = case
            new.append(case)
            continue
        if case.new:
            case.count += 1
        else:
            case.added += 1
            folded[case.id] = case
        if case.last is None or signal.at > case.last:
            case.last = signal.at
    for case, pk in zip(new, sql.reserve_ids(AlarmCase, len(new)), strict=True):
        case.id = pk
    sql.insert(
        CASES,
        [
            (
                c.id,
                c.key[0],
                c.first.building_id,
                c.key[2],
                c.key[1],
                c.first.description,
                CaseState.RESOLVED if c.closed else CaseState.OPEN,
                dt(c.first.at),
                c.first.event_id,
                dt(c.last),
                c.count,
                0,
                dt(now) if c.closed else None,
            )
            for c in new
            if c.first is not None
        ],
    )
    folds = [(c.added, dt(c.last), c.id) for c in folded.values()]
    if sql.postgres and folds:
        # One statement for every fold (a statement per case costs a round trip each).
        sql.execute(
            f'UPDATE "{CASES.name}" t SET event_count = t.event_count + v.added,'
            " last_event_at = v.last FROM unnest(%s::integer[], %s::timestamptz[],"
            " %s::bigint[]) v(added, last, id) WHERE t.id = v.id AND t.state = 'open'",
            [list(column) for column in zip(*folds, strict=True)],
        )
    else:
        sql.executemany(
            f'UPDATE "{CASES.name}" SET event_count = event_count + %s, last_event_at = %s'
            " WHERE id = %s AND state = 'open'",
            folds,
        )
    # By primary key, one row each (few rows; SQLite would rather scan every open case).
    sql.executemany(
        f'UPDATE "{CASES.name}" SET state = %s, closed_at = %s WHERE id = %s AND state = %s',
        [(CaseState.RESOLVED, dt(now), c.id, CaseState.OPEN) for c in closing if not c.new],
    )
    at = dt(now)
    flips = [(c.id, at, "", CaseState.OPEN, None, "") for c in new]
    flips += [
        (c.id, at, CaseState.OPEN, CaseState.RESOLVED, None, "restored by the device")
        for c in closing
    ]
    sql.insert(FLIPS, flips)
    if flips:
        # The consoles of this process at once, once committed (SQLite polls otherwise; on
        # PostgreSQL the timeline trigger's NOTIFY reaches every process anyway).
        transaction.on_commit(stream.publish)


def _as_datetime(value: Any) -> datetime | None:
    """A datetime column read by a raw cursor (SQLite returns naive UTC text)."""
    parsed = value if isinstance(value, datetime) or value is None else parse_datetime(str(value))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
